//! Alertmanager configuration: route tree, receivers, matchers and the router.
