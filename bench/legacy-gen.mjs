#!/usr/bin/env node
// bench/legacy-gen.mjs: writes a large legacy server directory for the import-legacy
// benchmark (docs/benchmarks.md, "Legacy import"):
//
//   node bench/legacy-gen.mjs --out DIR --users N --logs M [--seed S]
//
// DIR/wallet-db.json: an object keyed by E.164 phone, N records. Phone i is +4479 followed
// by i as 8 digits (+447900000000 + i): every one distinct and, for i below 10,000,000, a
// valid GB mobile for libphonenumber (so N is at most 10,000,000). Values mix plain address
// strings and objects with camelCase or snake_case fields, tiers as numbers or strings,
// creation times as ISO text, epoch seconds or epoch milliseconds, and statuses. Every
// address is distinct: its first 4 bytes are a bijection of i, the other 16 depend on the
// seed; most are lower-case hex with 0x, some upper case, some without 0x.
//
// DIR/server-logs.json: an array of M log entries (levels, categories, field spellings
// and timestamp forms of the old server, some messages naming a user's phone number).
//
// Every record passes the import's checks: an import of the directory into an empty
// database inserts N users and M log rows and rejects nothing. The output depends only
// on the arguments (no clock, no Math.random). Both files are streamed in 64 KiB pieces
// through a write stream, waiting for 'drain' when it asks to: memory stays flat whatever
// N and M. A one-line summary (files, sizes, seconds) goes to stderr.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

const MAX_USERS = 10_000_000;
const PIECE = 64 * 1024;

function usage(message) {
  if (message) process.stderr.write(`legacy-gen: ${message}\n`);
  process.stderr.write("usage: node bench/legacy-gen.mjs --out DIR --users N --logs M [--seed S]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { out: null, users: null, logs: null, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    if (name === "--help" || name === "-h") usage();
    if (!["--out", "--users", "--logs", "--seed"].includes(name)) usage(`unknown argument ${name}`);
    if (value === undefined) usage(`${name} needs a value`);
    i++;
    if (name === "--out") {
      args.out = value;
      continue;
    }
    if (!/^\d+$/.test(value)) usage(`${name} must be a non-negative integer, not ${value}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) usage(`${name} is too large`);
    args[name.slice(2)] = n;
  }
  if (args.out === null) usage("--out is required");
  if (args.users === null) usage("--users is required");
  if (args.logs === null) usage("--logs is required");
  if (args.users > MAX_USERS) usage(`--users is at most ${MAX_USERS} (+4479 numbers stay valid GB mobiles below that)`);
  if (args.seed > 0xffffffff) usage("--seed is at most 4294967295");
  return args;
}

// murmur3's 32-bit finaliser: a bijection on 32-bit integers.
function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// mulberry32: a small deterministic generator for the choices that need not be unique.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex8 = (x) => x.toString(16).padStart(8, "0");

function makeAddress(i, seedKey) {
  // First word: a bijection of i (i < 2^32), so addresses never collide.
  let out = hex8(fmix32((i ^ seedKey) >>> 0));
  const h = fmix32((Math.imul(i, 0x9e3779b9) ^ seedKey ^ 0x5bd1e995) >>> 0);
  for (let k = 1; k <= 4; k++) out += hex8(fmix32((h ^ Math.imul(k, 0x7f4a7c15)) >>> 0));
  return out; // 40 lower-case hex digits
}

const phoneOf = (i) => "+4479" + String(i).padStart(8, "0");

// Times between 2021-01-01 and 2023-12-31 UTC: past, after 2000, whatever the clock says.
const T0 = Date.UTC(2021, 0, 1) / 1000;
const SPAN = Date.UTC(2023, 11, 31) / 1000 - T0;

class Sink {
  constructor(path) {
    this.path = path;
    this.stream = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.buffer = "";
    this.bytes = 0;
    this.failed = null;
    this.stream.on("error", (error) => {
      this.failed = error;
    });
  }

  async write(text) {
    this.buffer += text;
    if (this.buffer.length >= PIECE) await this.flush();
  }

  async flush() {
    if (this.failed) throw this.failed;
    if (this.buffer.length === 0) return;
    const chunk = Buffer.from(this.buffer, "utf8");
    this.buffer = "";
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) {
      await new Promise((resolve, reject) => {
        const onDrain = () => {
          this.stream.off("error", onError);
          resolve();
        };
        const onError = (error) => {
          this.stream.off("drain", onDrain);
          reject(error);
        };
        this.stream.once("drain", onDrain);
        this.stream.once("error", onError);
      });
    }
  }

  async close() {
    await this.flush();
    await new Promise((resolve, reject) => {
      this.stream.once("error", reject);
      this.stream.end(resolve);
    });
    if (this.failed) throw this.failed;
  }
}

const STATUSES = ["active", "active", "active", "ACTIVE", "suspended", "blocked", "closed"];

function walletRecord(i, seedKey, random) {
  const hex = makeAddress(i, seedKey);
  const form = random();
  let address;
  if (form < 0.05) address = "0x" + hex.toUpperCase();
  else if (form < 0.1) address = hex; // without 0x
  else address = "0x" + hex;
  const kind = i % 4; // 0: a plain string; 1, 2: camelCase objects; 3: a snake_case object
  if (kind === 0) return JSON.stringify(address);
  const seconds = T0 + Math.floor(random() * SPAN);
  const tier = Math.floor(random() * 6);
  const status = STATUSES[Math.floor(random() * STATUSES.length)];
  if (kind === 3) {
    return JSON.stringify({
      wallet_address: address,
      created_at: seconds, // epoch seconds
      kyc_tier: String(tier),
      status,
      country: "GB",
    });
  }
  const record = {
    walletAddress: address,
    createdAt: kind === 1 ? new Date(seconds * 1000).toISOString() : seconds * 1000 + (i % 1000), // ISO or epoch ms
    tier,
  };
  if (i % 5 === 0) record.isActive = status !== "suspended" && status !== "blocked";
  else record.status = status;
  if (i % 7 === 0) record.email = `user${i}@example.com`;
  if (i % 11 === 0) record.deviceId = `dev-${hex8(fmix32(i))}`;
  return JSON.stringify(record);
}

const LEVELS = ["info", "info", "info", "http", "warn", "warning", "error", "ERROR", "debug", "verbose", "silly"];
const CATEGORIES = ["API", "api", "auth", "BLOCKCHAIN", "kyc", "ADMIN", "security", "performance", "business", "cache"];
const PATHS = ["/api/wallet", "/api/auth/otp", "/api/auth/verify", "/api/kyc/status", "/api/tx/send", "/api/explorer/blocks"];
const METHODS = ["GET", "GET", "POST", "PUT", "DELETE"];

function logRecord(j, users, random) {
  const seconds = T0 + Math.floor(random() * SPAN);
  const level = LEVELS[Math.floor(random() * LEVELS.length)];
  const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
  const form = j % 3;
  const record = {};
  if (form === 0) record.timestamp = new Date(seconds * 1000).toISOString();
  else if (form === 1) record.time = seconds;
  else record.ts = seconds * 1000 + (j % 1000);
  record.level = level;
  const pick = random();
  if (pick < 0.1 && users > 0) {
    const user = Math.floor(random() * users);
    record.message = `OTP sent to ${phoneOf(user)}`;
    record.category = "auth";
    record.eventType = "otp.sent";
  } else if (pick < 0.6) {
    const method = METHODS[Math.floor(random() * METHODS.length)];
    const path = PATHS[Math.floor(random() * PATHS.length)];
    const status = random() < 0.9 ? 200 : 500;
    record.message = `${method} ${path} ${status}`;
    record.method = method;
    record.url = path;
    record.statusCode = status;
    record.responseTime = 1 + Math.floor(random() * 400);
    record.category = "API";
  } else {
    record.msg = `job ${j % 97} step ${Math.floor(random() * 50)} done`;
    record.module = category;
    if (random() < 0.3) record.requestId = `req-${j.toString(36)}`;
  }
  return JSON.stringify(record);
}

async function writeWallets(path, users, seed) {
  const sink = new Sink(path);
  const random = rng(seed ^ 0x57a11e75);
  const seedKey = fmix32(seed);
  await sink.write("{\n");
  for (let i = 0; i < users; i++) {
    await sink.write(`${i === 0 ? "" : ",\n"}  "${phoneOf(i)}": ${walletRecord(i, seedKey, random)}`);
  }
  await sink.write(users > 0 ? "\n}\n" : "}\n");
  await sink.close();
  return sink.bytes;
}

async function writeLogs(path, logs, users, seed) {
  const sink = new Sink(path);
  const random = rng(seed ^ 0x10c5);
  await sink.write("[\n");
  for (let j = 0; j < logs; j++) {
    await sink.write(`${j === 0 ? "" : ",\n"}  ${logRecord(j, users, random)}`);
  }
  await sink.write(logs > 0 ? "\n]\n" : "]\n");
  await sink.close();
  return sink.bytes;
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const started = process.hrtime.bigint();
  const wallets = join(args.out, "wallet-db.json");
  const logs = join(args.out, "server-logs.json");
  const walletBytes = await writeWallets(wallets, args.users, args.seed);
  const logBytes = await writeLogs(logs, args.logs, args.users, args.seed);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(
    `legacy-gen: ${wallets} ${args.users} users ${mib(walletBytes)}, ${logs} ${args.logs} logs ` +
      `${mib(logBytes)}, seed ${args.seed}, ${seconds.toFixed(1)} s\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`legacy-gen: ${error.message}\n`);
  process.exit(1);
});
