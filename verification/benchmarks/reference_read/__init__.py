"""The reference read of MISSION part L, for ``api_throughput``'s ``reference`` scenario.

MISSION part L gives figures measured on the machine kind the API's targets come from: a
JWT-authenticated read of one 662-byte cadet profile, written as DRF usually is (ORM
instances and a ModelSerializer, simplejwt's stock authentication with its user query per
request, persistent database connections), does 260-470 req/s there at 10 connections, where
the legacy Node backend does 1,785. Our VMs have run the same code several times slower on
one day than on another, so an absolute target cannot be checked on a machine of unknown
speed. ``api_throughput`` therefore also measures this read, in the same run, on the same
database, settings, middleware and gunicorn configuration as the product, and scales the
targets to this machine by it (``api_throughput.scale_targets``).

Benchmark-only: the product's URLconf never includes it. ``wsgi.application`` is the
product's WSGI application with ``urls`` as its URLconf: every product route, then one more.
"""
