use std::sync::Arc;

use super::*;

fn open(dir: &Path, after: u64) -> (Wal, Vec<(u64, Vec<u8>)>) {
    let mut seen = Vec::new();
    let wal = Wal::open(dir, WalOptions::default(), after, |seq, p| {
        seen.push((seq, p.to_vec()));
        Ok(())
    })
    .unwrap();
    (wal, seen)
}

#[test]
fn records_survive_reopen_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, seen) = open(dir.path(), 0);
    assert!(seen.is_empty());
    for i in 0..10u8 {
        let seq = wal.append(&[i; 5]).unwrap();
        wal.sync(&seq).unwrap();
    }
    drop(wal);
    let (wal, seen) = open(dir.path(), 0);
    assert_eq!(
        seen.iter().map(|r| r.0).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<u64>>()
    );
    assert_eq!(seen[3].1, vec![3u8; 5]);
    assert_eq!(wal.last_seq(), 10);
    // Records at or below the flushed seq are not replayed.
    drop(wal);
    let (_, seen) = open(dir.path(), 7);
    assert_eq!(seen.iter().map(|r| r.0).collect::<Vec<_>>(), vec![8, 9, 10]);
}

#[test]
fn a_torn_tail_is_cut_off_and_the_log_continues() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = open(dir.path(), 0);
    let s1 = wal.append(b"one").unwrap();
    let s2 = wal.append(b"two").unwrap();
    wal.sync(&s2).unwrap();
    let path = wal.segment_paths().last().unwrap().clone();
    drop(wal);
    // A crash in the middle of the second record: drop its last 2 bytes.
    let len = fs::metadata(&path).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 2)
        .unwrap();
    let (wal, seen) = open(dir.path(), 0);
    assert_eq!(seen, vec![(s1.seq, b"one".to_vec())]);
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        (HEADER_LEN + 3) as u64,
        "tail cut off"
    );
    let s3 = wal.append(b"three").unwrap();
    wal.sync(&s3).unwrap();
    drop(wal);
    let (_, seen) = open(dir.path(), 0);
    assert_eq!(
        seen.iter().map(|r| &r.1[..]).collect::<Vec<_>>(),
        vec![&b"one"[..], b"three"]
    );
}

#[test]
fn damage_before_the_last_segment_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = open(dir.path(), 0);
    let s = wal.append(b"payload").unwrap();
    wal.sync(&s).unwrap();
    let first = wal.segment_paths()[0].clone();
    drop(wal);
    let (wal, _) = open(dir.path(), 0); // a new segment now follows the damaged one
    drop(wal);
    let mut bytes = fs::read(&first).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    fs::write(&first, bytes).unwrap();
    let err = Wal::open(dir.path(), WalOptions::default(), 0, |_, _| Ok(())).unwrap_err();
    assert!(matches!(err, Error::WalCorrupt { .. }), "{err}");
    assert!(err.to_string().contains("fails its checksum"), "{err}");
}

#[test]
fn concurrent_writers_share_syncs_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = open(dir.path(), 0);
    let wal = Arc::new(wal);
    let threads: Vec<_> = (0..4u8)
        .map(|t| {
            let wal = Arc::clone(&wal);
            std::thread::spawn(move || {
                for i in 0..200u8 {
                    let seq = wal.append(&[t, i]).unwrap();
                    wal.sync(&seq).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(wal);
    let (_, seen) = open(dir.path(), 0);
    assert_eq!(seen.len(), 800);
    for t in 0..4u8 {
        let mine: Vec<u8> = seen.iter().filter(|r| r.1[0] == t).map(|r| r.1[1]).collect();
        assert_eq!(mine, (0..200).collect::<Vec<u8>>(), "writer {t}'s records in its order");
    }
}

#[test]
fn segments_roll_and_flushed_ones_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let options = WalOptions {
        segment_bytes: 100,
        ..WalOptions::default()
    };
    let wal = Wal::open(dir.path(), options.clone(), 0, |_, _| Ok(())).unwrap();
    for i in 0..20u8 {
        let seq = wal.append(&[i; 30]).unwrap();
        wal.sync(&seq).unwrap();
    }
    let before = wal.segment_paths().len();
    assert!(before >= 5, "{before} segments");
    wal.remove_through(10).unwrap();
    let after = wal.segment_paths();
    assert!(after.len() < before);
    drop(wal);
    let mut seen = Vec::new();
    Wal::open(dir.path(), options, 10, |seq, _| {
        seen.push(seq);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen,
        (11..=20).collect::<Vec<u64>>(),
        "everything unflushed is still there"
    );
}
