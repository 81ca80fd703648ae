"""A real OpenID Connect provider (npm ``oidc-provider``) for the sign-in tests."""
