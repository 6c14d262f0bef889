"""Deploy-verify harness: checks, the GO / NO-GO gate, watch mode and reports."""
