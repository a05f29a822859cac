-- 003_performance_indexes: the plan's "Performance Indexes for Production Scale". On the
-- partitioned tables each index is created on every partition, present and future.

CREATE INDEX idx_server_logs_timestamp_desc ON server_logs(timestamp DESC);
CREATE INDEX idx_server_logs_category_timestamp ON server_logs(category, timestamp DESC);
CREATE INDEX idx_server_logs_user_timestamp ON server_logs(user_id, timestamp DESC) WHERE user_id IS NOT NULL;
CREATE INDEX idx_server_logs_endpoint_method ON server_logs(endpoint, method);
CREATE INDEX idx_server_logs_error_level ON server_logs(level, timestamp DESC) WHERE level IN ('error', 'warn');

CREATE INDEX idx_api_metrics_endpoint_time ON api_metrics(endpoint, timestamp DESC);
CREATE INDEX idx_api_metrics_performance ON api_metrics(response_time_ms, timestamp DESC);
CREATE INDEX idx_api_metrics_errors ON api_metrics(status_code, timestamp DESC) WHERE status_code >= 400;

CREATE INDEX idx_system_metrics_instance_type ON system_metrics(server_instance, metric_type, timestamp DESC);
CREATE INDEX idx_system_metrics_alerts ON system_metrics(alert_sent, timestamp DESC) WHERE alert_sent = false;

CREATE INDEX idx_blockchain_events_processed ON blockchain_events(processed, timestamp DESC);
CREATE INDEX idx_blockchain_events_contract ON blockchain_events(contract_address, event_type, timestamp DESC);

CREATE INDEX idx_admin_audit_resource ON admin_audit_logs(resource_type, resource_id, timestamp DESC);
CREATE INDEX idx_admin_audit_admin ON admin_audit_logs(admin_id, timestamp DESC);

CREATE INDEX idx_security_events_severity ON security_events(severity, timestamp DESC);
CREATE INDEX idx_security_events_ip ON security_events(ip_address, timestamp DESC);
CREATE INDEX idx_security_events_investigated ON security_events(investigated, timestamp DESC) WHERE investigated = false;
