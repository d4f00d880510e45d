//! Microsoft's published service tags (`ServiceTags_Public_YYYYMMDD.json`,
//! from "Azure IP Ranges and Service Tags – Public Cloud" on the Microsoft
//! Download Center, or `az network list-service-tags --location REGION -o json`,
//! which prints the same document).

use crate::cidr::Ipv4Net;
use crate::error::AzureError;
use serde::Deserialize;
use std::path::Path;

/// One service tag (`AzureCloud.westeurope`, `Storage`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTag {
    /// Tag name (`values[].name`).
    pub name: String,
    /// `properties.systemService` (`AzureStorage`; empty for the `AzureCloud` tags).
    pub system_service: String,
    /// `properties.region` (`westeurope`; empty for global tags).
    pub region: String,
    /// IPv4 prefixes (IPv6 prefixes are skipped).
    pub prefixes: Vec<Ipv4Net>,
}

/// The whole service-tags document.
#[derive(Debug, Clone, Default)]
pub struct ServiceTags {
    /// Every tag, in file order.
    pub tags: Vec<ServiceTag>,
}

#[derive(Deserialize)]
struct Doc {
    values: Vec<DocTag>,
}

#[derive(Deserialize)]
struct DocTag {
    name: String,
    #[serde(default)]
    properties: DocProps,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct DocProps {
    region: String,
    system_service: String,
    address_prefixes: Vec<String>,
}

impl ServiceTags {
    /// Reads a service-tags JSON file.
    pub fn load(path: &Path) -> Result<ServiceTags, AzureError> {
        let bytes = std::fs::read(path).map_err(|source| AzureError::Io { path: path.to_path_buf(), source })?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        ServiceTags::from_json(bytes).map_err(|message| AzureError::Json {
            path: path.to_path_buf(),
            message,
            help: "expected ServiceTags_Public_*.json from the Microsoft Download Center, or `az network list-service-tags --location REGION -o json`".into(),
        })
    }

    /// Parses the document's bytes.
    pub fn from_json(bytes: &[u8]) -> Result<ServiceTags, String> {
        let doc: Doc = serde_json::from_slice(bytes).map_err(|e| format!("not a service-tags document: {e}"))?;
        let tags = doc
            .values
            .into_iter()
            .map(|t| ServiceTag {
                name: t.name,
                system_service: t.properties.system_service,
                region: t.properties.region,
                prefixes: t.properties.address_prefixes.iter().filter_map(|p| Ipv4Net::parse(p)).collect(),
            })
            .collect();
        Ok(ServiceTags { tags })
    }

    /// The tag named `name` (compared without regard to case).
    pub fn tag(&self, name: &str) -> Option<&ServiceTag> {
        self.tags.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Every tag with a prefix containing `ip`, the most specific prefix first
    /// (ties: regional tags before global ones, then file order).
    pub fn lookup(&self, ip: u32) -> Vec<&ServiceTag> {
        let mut hits: Vec<(u8, bool, usize, &ServiceTag)> = self
            .tags
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                t.prefixes
                    .iter()
                    .filter(|p| p.contains(ip))
                    .map(|p| p.len)
                    .max()
                    .map(|len| (len, t.region.is_empty(), i, t))
            })
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        hits.into_iter().map(|h| h.3).collect()
    }

    /// Whether `ip` belongs to any Azure address (any tag).
    pub fn is_azure(&self, ip: u32) -> bool {
        self.tags.iter().any(|t| t.prefixes.iter().any(|p| p.contains(ip)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::parse_ipv4;

    // The shape of ServiceTags_Public_*.json (values abridged).
    const DOC: &str = r#"{"changeNumber": 1, "cloud": "Public", "values": [
      {"name": "AzureCloud", "id": "AzureCloud", "properties": {"changeNumber": 1, "region": "", "regionId": 0,
        "platform": "Azure", "systemService": "", "addressPrefixes": ["13.64.0.0/11", "2603:1000::/24"]}},
      {"name": "AzureCloud.westeurope", "id": "AzureCloud.westeurope", "properties": {"region": "westeurope",
        "systemService": "", "addressPrefixes": ["13.69.0.0/17"]}},
      {"name": "Storage.WestEurope", "id": "Storage.WestEurope", "properties": {"region": "westeurope",
        "systemService": "AzureStorage", "addressPrefixes": ["13.69.40.0/24"]}}
    ]}"#;

    #[test]
    fn most_specific_tag_first() {
        let t = ServiceTags::from_json(DOC.as_bytes()).unwrap();
        assert_eq!(t.tags.len(), 3);
        assert_eq!(t.tags[0].prefixes.len(), 1, "IPv6 skipped");
        let names = |ip: &str| t.lookup(parse_ipv4(ip).unwrap()).iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(names("13.69.40.5"), ["Storage.WestEurope", "AzureCloud.westeurope", "AzureCloud"]);
        assert_eq!(names("13.70.0.1"), ["AzureCloud"]);
        assert!(names("8.8.8.8").is_empty());
        assert!(t.is_azure(parse_ipv4("13.64.0.1").unwrap()));
        assert_eq!(t.tag("storage.westeurope").unwrap().system_service, "AzureStorage");
        assert!(ServiceTags::from_json(b"{}").is_err());
    }
}
