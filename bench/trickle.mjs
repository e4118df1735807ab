// Workflows at a trickle to `quorum serve` on PostgreSQL, where its workers are mostly idle:
// the database's committed transactions per workflow (pg_stat_database), which counts the
// claims that idle workers woken for nothing make. Usage:
//   node bench/trickle.mjs path/to/release/quorum [WORKFLOWS=100]
// One 8-step core.noop workflow (no vote) every 100 ms, in a fresh database quorum_trickle.
import { spawn, execSync } from "node:child_process";
const [bin, n] = [process.argv[2], Number(process.argv[3] || 100)];
const db = "quorum_trickle", port = 5693, admin = "trickle-admin-token-0123456789";
execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db}" -c "CREATE DATABASE ${db}" postgres 2>/dev/null`);
const q = spawn(bin, ["serve"], { env: { ...process.env, QUORUM_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`, QUORUM_BIND: `127.0.0.1:${port}`, QUORUM_ADMIN_TOKEN: admin, QUORUM_DATA_DIR: execSync("mktemp -d").toString().trim(), RUST_LOG: "warn" }, stdio: "ignore" });
const base = `http://127.0.0.1:${port}`, sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (;;) { try { if ((await fetch(`${base}/readyz`)).ok) break; } catch {} await sleep(50); }
const api = async (m, p, t, b) => { const r = await fetch(base + p, { method: m, headers: { authorization: `Bearer ${t}`, "content-type": "application/json" }, body: b && JSON.stringify(b) }); return r.json(); };
const agent = await api("POST", "/api/principals", admin, { id: "agent_t", kind: "agent", roles: ["agent"], name: "T" });
await api("POST", "/api/principals", admin, { id: "user_t", kind: "user", roles: ["member"], name: "U" });
await api("POST", "/api/councils", admin, { id: "council_t", name: "T Council", domains: ["media"], members: ["user_t"], threshold: "simple_majority" });
await api("POST", "/api/workflow-types", admin, { id: "t.noop", name: "Eight no-op steps", description: "x", domain: "media", category: "Benchmark", estimated_duration_seconds: 1, input_schema: { type: "object" }, outputs: {}, steps: Array.from({ length: 8 }, (_, i) => ({ name: `s${i}`, title: `S${i}`, estimated_seconds: 1, handler: "core.noop" })), success_criteria: [], oversight: { required: false }, review_criteria: [], savings_model: { tasks_automated: "x", minutes_saved_per_week: 1, hourly_rate: 60 }, max_attempts: 1 });
await sleep(3000);
const stat = () => Number(execSync(`psql -h 127.0.0.1 -U postgres -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = '${db}'" postgres`).toString());
const before = stat();
for (let i = 0; i < n; i++) { await api("POST", "/api/workflows", agent.token, { workflow_type_id: "t.noop", inputs: {} }); await sleep(100); }
await sleep(2000);
const done = (await api("GET", "/api/workflows?status=completed&limit=1", admin)).total;
const after = stat();
console.log(JSON.stringify({ workflows: n, completed: done, transactions_per_workflow: ((after - before) / n).toFixed(1) }));
q.kill(); await sleep(500); process.exit(0);
