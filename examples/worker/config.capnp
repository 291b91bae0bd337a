# workerd config for examples/worker: the bundled worker.mjs on 127.0.0.1:8787,
# allowed to open sockets to loopback ("local"), with the CA as a text binding.
# tests/workerd_test.ts writes its own copy with a free port and its CA.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
  bindings = [(name = "CA_PEM", text = embed "ca.pem")],
);
