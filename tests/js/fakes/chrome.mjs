// An in-memory `chrome` for the worker's modules: storage.local (with onChanged), alarms
// and the runtime calls they make. `full = true` makes storage.local refuse writes as
// Chrome does past its quota; `sets` logs the keys of every write.
export function fakeChrome() {
  const data = new Map();
  const alarmList = new Map();
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  const fake = {
    data,
    alarmList,
    full: false,
    sets: [],
    storage: {
      local: {
        async get(keys) {
          const wanted = keys == null ? [...data.keys()] : [keys].flat();
          return Object.fromEntries(wanted.filter((k) => data.has(k)).map((k) => [k, copy(data.get(k))]));
        },
        async set(entries) {
          if (fake.full) throw new Error('Resource::kQuotaBytes quota exceeded');
          fake.sets.push(Object.keys(entries));
          for (const [k, v] of Object.entries(entries)) data.set(k, copy(v));
        },
        async remove(keys) {
          for (const k of [keys].flat()) data.delete(k);
        },
      },
      onChanged: { addListener() {} },
    },
    alarms: {
      async create(name, info) {
        alarmList.set(name, { name, ...info });
      },
      async clear(name) {
        return alarmList.delete(name);
      },
      async get(name) {
        return alarmList.get(name);
      },
      async getAll() {
        return [...alarmList.values()];
      },
    },
    runtime: { getPlatformInfo: async () => ({}), getURL: (path) => `chrome-extension://test/${path}` },
  };
  return fake;
}
