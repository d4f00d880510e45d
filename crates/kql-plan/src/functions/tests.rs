use super::*;

#[test]
fn known_list_is_sorted() {
    assert!(known::UNSUPPORTED.windows(2).all(|w| w[0] < w[1]));
}
