//! Columnar executor for KQL logical plans (being built).
