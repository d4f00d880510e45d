//! Large data sets are generated batch by batch with a bounded number of
//! batches in memory (asserted on counts, not on time).

use crate::common;

use ntaq_gen::{GenConfig, NET_TABLE, generate};

#[test]
fn hundred_thousand_rows_in_bounded_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        rows: 100_000,
        batch_rows: 8_192,
        row_group_rows: 32_768,
        max_batches_in_flight: 3,
        ..GenConfig::default()
    };
    let summary = generate(&cfg, tmp.path()).unwrap();
    assert_eq!(summary.net_rows, 100_000);
    assert_eq!(summary.batches, 13, "⌈100000 / 8192⌉ batches");
    assert!(summary.max_batches_in_flight <= 3, "at most 3 batches held: {}", summary.max_batches_in_flight);
    assert_eq!(summary.row_groups, 4, "⌈100000 / 32768⌉ row groups");
    let flow_log: u64 = summary.flow_types.values().sum();
    assert_eq!(flow_log + summary.status_messages, 100_000);

    let files = common::read(tmp.path(), NET_TABLE);
    assert_eq!(files.table.rows, 100_000);
    let groups: Vec<i64> = files.metadata[0].row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups, [32_768, 32_768, 32_768, 1_696]);
}

#[test]
fn default_batches_and_flow_type_mix_for_a_hundred_thousand_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = generate(&GenConfig { rows: 100_000, ..GenConfig::default() }, tmp.path()).unwrap();
    assert_eq!(summary.batches, 7, "⌈100000 / 16384⌉ batches");
    assert!(summary.max_batches_in_flight <= rayon::current_num_threads().clamp(1, 16));
    assert_eq!(summary.row_groups, 1, "one row group of at most 131072 rows");

    let flow_log: u64 = summary.flow_types.values().sum();
    for (ft, percent) in ntaq_gen::FLOW_TYPE_MIX {
        let share = summary.flow_types[ft.name()] as f64 / flow_log as f64 * 100.0;
        assert!((share - f64::from(percent)).abs() < 1.0, "{}: {share:.2} % vs {percent} %", ft.name());
    }
    let status = summary.status_messages as f64 / 100_000.0 * 1000.0;
    assert!((status - ntaq_gen::STATUS_MESSAGE_PER_MILLE as f64).abs() < 1.5, "status messages {status:.2} ‰");
}
