// The plan's logging stack (PLAN.md, "Enhanced Logging System"), driven like bench/log_load:
//   node winston.js files N DIR       N access-log entries through the plan's format into a
//                                     winston-daily-rotate-file stream (server-%DATE%.log)
//   node winston.js postgres N URL    N entries through the plan's DatabaseTransport
//                                     (batches of 100, one multi-row INSERT each)
// Prints "RESULT entries=N seconds=S per_second=R" once every entry is on disk / in the table.
'use strict';
const fs = require('fs');
const path = require('path');
const winston = require('winston');
const DailyRotateFile = require('winston-daily-rotate-file');
const { Client } = require('pg');

const [mode, countText, target] = process.argv.slice(2);
const count = Number(countText);

// The plan's format, as written there.
const logFormat = winston.format.combine(
  winston.format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss.SSS' }),
  winston.format.errors({ stack: true }),
  winston.format.json(),
  winston.format.printf(({ timestamp, level, message, ...meta }) => {
    const logEntry = {
      '@timestamp': timestamp, level: level.toUpperCase(), message,
      service: 'pend-server', version: '1.0.0', environment: 'production',
      server_instance: 'local', process_id: process.pid, ...meta,
    };
    if (meta.responseTime) {
      logEntry.performance = {
        response_time_ms: meta.responseTime,
        slow_query: meta.responseTime > 1000,
        very_slow_query: meta.responseTime > 5000,
      };
    }
    return JSON.stringify(logEntry);
  }));

// The plan's DatabaseTransport (batch 100, flush on error or every 5 s, one INSERT).
class DatabaseTransport extends winston.Transport {
  constructor(options) {
    super(options);
    this.client = options.client;
    this.batch = [];
    this.timer = null;
    this.pending = [];
  }
  log(info, callback) {
    setImmediate(() => this.emit('logged', info));
    this.batch.push(this.formatForDatabase(info));
    if (this.batch.length >= 100 || info.level === 'error') this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 5000);
    callback();
  }
  flush() {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.pending.push(this.saveBatchToDatabase(batch).catch((e) => console.error(e)));
  }
  formatForDatabase(e) {
    return [new Date().toISOString(), e.level, e.category || 'GENERAL', e.eventType || 'LOG',
      null, null, null, e.requestId || null, e.correlationId || null, e.ipAddress || null,
      e.userAgent || null, e.endpoint || null, e.method || null, e.statusCode || null,
      e.responseTime || null, e.requestSize || null, e.responseSize || null, null, e.message,
      null, null, null, JSON.stringify({})];
  }
  saveBatchToDatabase(batch) {
    const rows = batch.map((_, i) => `(${Array.from({ length: 23 }, (__, c) => `$${i * 23 + c + 1}`).join(', ')})`);
    const sql = `INSERT INTO server_logs (timestamp, level, category, event_type, user_id, admin_id,
      session_id, request_id, correlation_id, ip_address, user_agent, endpoint, method, status_code,
      response_time_ms, request_size_bytes, response_size_bytes, error_code, error_message,
      error_stack, request_data, response_data, metadata) VALUES ${rows.join(', ')}`;
    return this.client.query(sql, batch.flat());
  }
}

function entry(i) {
  return ['request', {
    category: 'API', eventType: 'HTTP_REQUEST', requestId: `0190c3f0-6c2e-7a4b-9d1e-${String(i).padStart(12, '0')}`,
    correlationId: '0190c3f0-6c2e-7a4b-9d1e-2f3a4b5c6d7e', ipAddress: '203.0.113.9',
    userAgent: 'bench/1.0', endpoint: '/api/v1/config', method: 'GET', statusCode: 200,
    responseTime: 3, requestSize: 0, responseSize: 139,
  }];
}

function lines(dir) {
  let n = 0;
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith('.log')) continue;
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (let i = 0; i < text.length; ++i) if (text.charCodeAt(i) === 10) ++n;
  }
  return n;
}

async function main() {
  const started = process.hrtime.bigint();
  if (mode === 'files') {
    const logger = winston.createLogger({
      format: logFormat,
      transports: [new DailyRotateFile({
        filename: path.join(target, 'server-%DATE%.log'), datePattern: 'YYYY-MM-DD',
        maxSize: '100m', maxFiles: '30d', level: 'info', format: logFormat,
      })],
    });
    for (let i = 0; i < count; ++i) logger.info(...entry(i));
    await new Promise((resolve) => { logger.on('finish', resolve); logger.end(); });
    while (lines(target) < count) await new Promise((r) => setTimeout(r, 10));
  } else {
    const client = new Client({ connectionString: target });
    await client.connect();
    const transport = new DatabaseTransport({ level: 'info', client });
    const logger = winston.createLogger({ format: logFormat, transports: [transport] });
    for (let i = 0; i < count; ++i) logger.info(...entry(i));
    await new Promise((resolve) => setImmediate(resolve));
    transport.flush();
    await Promise.all(transport.pending);
    await client.end();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`RESULT entries=${count} seconds=${seconds.toFixed(3)} per_second=${Math.round(count / seconds)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
