//! `queries/scenario*.kql` are the article's four ```kusto blocks, byte for
//! byte, except that the article's mis-decoded emoji are repaired.

use crate::common::repo;
use std::path::PathBuf;

fn scenario(n: usize) -> Vec<u8> {
    std::fs::read(repo().join(format!("queries/scenario{n}.kql"))).unwrap()
}

/// The article's UTF-8 emoji were decoded as Mac Roman somewhere on their
/// way: 🌐 (F0 9F 8C 90) became "\u{F8FF}üåê" and 🖥️ (F0 9F 96 A5 EF B8 8F)
/// became "\u{F8FF}üñ•Ô∏è".
fn repair(text: &str) -> String {
    text.replace("\u{F8FF}üåê", "🌐").replace("\u{F8FF}üñ•Ô∏è", "🖥\u{FE0F}")
}

/// The text between each "```kusto" line and the closing fence.
fn kusto_blocks(article: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = article;
    while let Some(start) = rest.find("```kusto\n") {
        let body = &rest[start + "```kusto\n".len()..];
        let end = body.find("```").expect("closed code block");
        blocks.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    blocks
}

#[test]
fn queries_are_the_article_blocks() {
    // The article lives next to the repository on development machines only.
    let seed_dir = repo().join("../shared/seed");
    let Ok(entries) = std::fs::read_dir(&seed_dir) else {
        return; // the checksum test below still pins the files
    };
    let mut articles: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    articles.sort();
    let article = articles
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|t| t.contains("```kusto"))
        .expect("the seed holds the article");
    let blocks = kusto_blocks(&article);
    assert_eq!(blocks.len(), 4);
    for (k, block) in blocks.iter().enumerate() {
        let repaired = repair(block);
        assert!(!repaired.contains('\u{F8FF}'), "block {} still has mis-decoded text", k + 1);
        assert_eq!(
            repaired.as_bytes(),
            scenario(k + 1).as_slice(),
            "queries/scenario{}.kql differs from the article",
            k + 1
        );
    }
}

/// FNV-1a, 64 bits: a checksum, not a security measure.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn queries_match_their_checksums() {
    let expected = [
        (1988, 0x7266_b901_0391_09a1),
        (1195, 0xc3d9_e2cc_55f1_349d),
        (2045, 0x8b0d_038b_0a15_4394),
        (1056, 0x7a38_112d_0d18_e226),
    ];
    for (k, (len, sum)) in expected.iter().enumerate() {
        let bytes = scenario(k + 1);
        assert_eq!(bytes.len(), *len, "scenario{}", k + 1);
        assert_eq!(fnv1a(&bytes), *sum, "scenario{} was edited", k + 1);
    }
}

#[test]
fn emoji_are_real_utf8() {
    let s1 = String::from_utf8(scenario(1)).unwrap();
    assert!(s1.contains("strcat('🌐 ', AllSrcIps)"));
    assert!(s1.contains("strcat('\u{1F5A5}\u{FE0F}', DestIp)"));
    let s3 = String::from_utf8(scenario(3)).unwrap();
    assert_eq!(s3.matches("'🖥\u{FE0F} '").count(), 2);
}
