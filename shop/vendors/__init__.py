"""입점기업: onboarding of social-economy enterprises (apply, review, members)."""
