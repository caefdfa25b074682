//! `bisect-log evaluate` and `bisect-log analyze` on the two seed logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bisect-log"))
}

fn seeds() -> Option<PathBuf> {
    let local =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bisect-log/tests/fixtures/seeds");
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/seeds");
    [local, shared]
        .into_iter()
        .find(|d| d.join("004_dd38629cfa7ebbde.txt").is_file())
        .or_else(|| {
            eprintln!("SKIPPED: seed logs not found");
            None
        })
}

#[test]
fn evaluate_counts_the_labelled_population() {
    let Some(seeds) = seeds() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("bisect-log-evaluate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, file) in [
        ("Log_a", "004_dd38629cfa7ebbde.txt"),
        ("Log_b", "000_9f5fff6f4365948f.txt"),
    ] {
        std::fs::copy(seeds.join(file), dir.join(format!("{name}.txt"))).unwrap();
    }
    // Both seeds blamed the wrong commit; 004's first wrong verdict is known.
    // Log_c has no log file and Log_d is outside the population (error).
    let labels = dir.join("labels.csv");
    std::fs::write(
        &labels,
        "log,title,status,result_commit,inconclusive_commits,ground_truth,wrong_stage,reason,wrong_commit\n\
         Log_a,\"general protection fault in try_to_wake_up\",done,7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9,,1111111111111111111111111111111111111111,Stage C,B3,7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9\n\
         Log_b,INFO: task hung in io_ring_exit_work,done,7e923e6a3ceb877497dd9ee70d71fa33b94f332b,,2222222222222222222222222222222222222222,,,\n\
         Log_c,x,done,3333333333333333333333333333333333333333,,4444444444444444444444444444444444444444,,,\n\
         Log_d,y,error,,,,,,\n",
    )
    .unwrap();
    let out = bin()
        .arg("evaluate")
        .arg(&dir)
        .arg(&labels)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(2 wrong, 0 right); 1 skipped"), "{text}");
    assert!(text.contains("100.0% (2/2)"), "{text}");
    assert!(
        text.contains("localization (suspect = wrong_commit): 100.0% (1/1)"),
        "{text}"
    );
    assert!(text.contains("infra-bad-verdict"), "{text}");
    assert!(
        text.contains("skipped (log missing or naming another culprit): Log_c"),
        "{text}"
    );

    let bad = bin()
        .arg("evaluate")
        .arg(&dir)
        .arg(&labels)
        .arg("--rule")
        .arg("nonsense")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyze_prints_one_json_object_per_file() {
    let Some(seeds) = seeds() else {
        return;
    };
    let out = bin()
        .arg("analyze")
        .arg(seeds.join("004_dd38629cfa7ebbde.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["analysis"]["trust"], "suspect");
    assert_eq!(
        v["analysis"]["suspect_step"]["commit"],
        "7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9"
    );
}

#[test]
fn summary_and_show_carry_the_analysis() {
    let Some(seeds) = seeds() else {
        return;
    };
    let seed = seeds.join("000_9f5fff6f4365948f.txt");
    let out = bin().arg("summary").arg(&seed).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["trust"], "suspect");
    assert_eq!(v["suspect_commit"].as_str().unwrap().len(), 40);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(codes.contains(&"noop-culprit"), "{codes:?}");
    let out = bin().arg("show").arg(&seed).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("trust: SUSPECT"), "{text}");
    assert!(text.contains("non-kernel-culprit"), "{text}");
}

#[test]
fn what_if_flips_a_verdict() {
    let Some(seeds) = seeds() else {
        return;
    };
    let out = bin()
        .arg("what-if")
        .arg(seeds.join("004_dd38629cfa7ebbde.txt"))
        .arg("7c25c0d16ef3=good")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["last_good"]["commit"],
        "7c25c0d16ef3c37e49c593ac92f69fa3884d4bb9"
    );
    assert_eq!(
        v["first_bad"]["commit"],
        "a1639a434b2045d7f9f90df6b651b99b2f0d5c8a"
    );
    let bad = bin()
        .arg("what-if")
        .arg(seeds.join("004_dd38629cfa7ebbde.txt"))
        .arg("7c25c0d16ef3")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
