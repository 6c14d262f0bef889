"""Start and stop real things for the tests and the rehearsal: throwaway PostgreSQL and Redis
servers from local binaries, and our own service processes."""
