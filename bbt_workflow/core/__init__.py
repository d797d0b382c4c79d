"""Home, site overview, health check."""
