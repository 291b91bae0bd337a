# workerd config for examples/worker/postgres_worker.ts: the bundled
# postgres_worker.mjs on 127.0.0.1:8788, allowed to open sockets to loopback
# ("local"), its bindings read from the environment (PG_HOST, PG_PORT,
# PG_SERVER_NAME, PG_CA_PEM, PG_CLIENT_CERT_PEM, PG_CLIENT_KEY_PEM, PG_USER,
# PG_PASSWORD, PG_DATABASE), so no key or password is written into it.
# tests/workerd_postgres_test.ts serves this file as it is, with
# `--socket-addr http=127.0.0.1:<free port>`.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8788", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "postgres_worker.mjs", esModule = embed "postgres_worker.mjs")],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
  bindings = [
    (name = "PG_HOST", fromEnvironment = "PG_HOST"),
    (name = "PG_PORT", fromEnvironment = "PG_PORT"),
    (name = "PG_SERVER_NAME", fromEnvironment = "PG_SERVER_NAME"),
    (name = "PG_CA_PEM", fromEnvironment = "PG_CA_PEM"),
    (name = "PG_CLIENT_CERT_PEM", fromEnvironment = "PG_CLIENT_CERT_PEM"),
    (name = "PG_CLIENT_KEY_PEM", fromEnvironment = "PG_CLIENT_KEY_PEM"),
    (name = "PG_USER", fromEnvironment = "PG_USER"),
    (name = "PG_PASSWORD", fromEnvironment = "PG_PASSWORD"),
    (name = "PG_DATABASE", fromEnvironment = "PG_DATABASE"),
  ],
);
