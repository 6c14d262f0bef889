"""gunicorn configuration of the web service. Render sets PORT; we bind every interface."""

from config import env

bind = f"0.0.0.0:{env.get('PORT')}"
workers = env.get("WEB_CONCURRENCY")
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes the service down; the jitter
# keeps all workers from restarting at once.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
loglevel = env.get("LOG_LEVEL").lower()
access_log_format = '%(t)s web %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
