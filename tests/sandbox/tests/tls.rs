//! `Config::tls`: the same port answers HTTPS with HTTP/2 offered first (as
//! api.gumroad.com does) and plain HTTP/1.1, so tools keep reading `/__sandbox` over http.

use std::io::{Read, Write};
use std::sync::Arc;

use bulkroad_sandbox::{Config, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio_rustls::TlsConnector;

/// The sandbox's certificate is made at start and signed by nobody: accept it, checking
/// only the handshake's signatures.
#[derive(Debug)]
struct AnyCertificate;

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        let algorithms = ring::default_provider().signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, &algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        let algorithms = ring::default_provider().signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, &algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn client(alpn: &[&[u8]]) -> TlsConnector {
    let mut config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

fn tls_sandbox() -> Sandbox {
    Sandbox::start(Config {
        products: 3,
        tls: true,
        ..Config::default()
    })
    .unwrap()
}

#[tokio::test]
async fn https_negotiates_http2_first() {
    let sb = tls_sandbox();
    assert_eq!(
        sb.tls_url(),
        Some(format!("https://127.0.0.1:{}", sb.port()))
    );
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", sb.port()))
        .await
        .unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let tls = client(&[b"h2", b"http/1.1"])
        .connect(name, tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn https_with_http1_answers_the_api() {
    let sb = tls_sandbox();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", sb.port()))
        .await
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = client(&[b"http/1.1"]).connect(name, tcp).await.unwrap();
    tls.write_all(b"GET /v2/products HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap();
    // No token: Gumroad's empty 401, over TLS.
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

#[test]
fn plain_http_still_answers_on_the_same_port() {
    let sb = tls_sandbox();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    tcp.write_all(b"GET /__sandbox/tokens HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn without_tls_there_is_no_https_url() {
    let sb = Sandbox::start(Config::default()).unwrap();
    assert_eq!(sb.tls_url(), None);
}
