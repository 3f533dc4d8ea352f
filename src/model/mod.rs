//! Rule files: plain `groups:` files and Kubernetes `PrometheusRule` objects,
//! validated as promtool validates them.
