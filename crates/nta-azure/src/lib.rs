//! Azure resource exports, as ntaq reads them.
//!
//! - [`cidr`]: IPv4 addresses and prefixes, covering sets of prefixes.
//! - [`topology`]: `az network vnet list`, `az network nic list`, `az vm list`,
//!   `az network nsg list`, `az network vnet-gateway list` JSON → subnets, NICs,
//!   VMs, NSGs, gateways, with address → subnet lookups.
//! - [`nsg`]: typed NSG security rules and Azure's rule matcher (priority
//!   order, default rules, service tags, subnet then NIC NSG).
//! - [`service_tags`]: Microsoft's published `ServiceTags_Public_*.json`.

pub mod cidr;
pub mod error;
pub mod nsg;
pub mod service_tags;
pub mod topology;

pub use cidr::Ipv4Net;
pub use error::AzureError;
pub use service_tags::{ServiceTag, ServiceTags};
pub use topology::Topology;
