"""Running the app for real: logs (``logs``), the request middleware that gives each
request an id, a latency measure and one access line (``requests``), Prometheus metrics
(``metrics``), the readiness probe (``readiness``), the probe and metrics routes
(``routes``) and the rate limits shared by every process through the database
(``ratelimit``). Security headers and body size limits are in ``maillage.security``."""
