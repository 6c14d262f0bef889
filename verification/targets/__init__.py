"""What deploy-verify runs against: our local processes, or the Render services."""
