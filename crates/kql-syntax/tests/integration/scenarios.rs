//! The article's four queries parse without errors and survive a round trip
//! through the canonical printer.

use crate::common;

use common::{assert_round_trip, repo_file};

#[test]
fn article_queries_parse_and_round_trip() {
    for n in 1..=4 {
        let src = repo_file(&format!("queries/scenario{n}.kql"));
        let parsed = kql_syntax::parse(&src);
        assert!(parsed.errors.is_empty(), "scenario{n}: {:#?}", parsed.errors);
        assert_round_trip(&src);
    }
}
