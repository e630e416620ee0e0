import contextlib

from cms.celery import app


@contextlib.contextmanager
def broker_unreachable():
    """Point this process's Celery app at a closed port (nothing listens on port 1),
    as if Redis were down, then back. Only this process is affected: a running
    worker keeps its own connection."""
    saved = (app.conf.broker_url, app.conf.broker_write_url)

    def use(read_url, write_url):
        app.conf.broker_url, app.conf.broker_write_url = read_url, write_url
        app._pool = None
        app.amqp._producer_pool = None

    use("redis://127.0.0.1:1/0", "redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        use(*saved)
