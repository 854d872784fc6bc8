"""Pictures: chart specs built by the domain, drawn to PNG with matplotlib off the event loop."""
