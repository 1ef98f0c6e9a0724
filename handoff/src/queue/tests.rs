use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;

fn small() -> Limits {
    Limits {
        max_bytes: 4096,
        segment_bytes: 256,
    }
}

fn drain(q: &mut Queue) -> Vec<Entry> {
    let mut out = Vec::new();
    while let Some(e) = q.peek().unwrap() {
        q.pop().unwrap();
        out.push(e);
    }
    out
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn entries_come_back_in_order_across_segments_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = Queue::open(dir.path(), small()).unwrap();
    for i in 0..40i64 {
        q.push(i, format!("batch {i}").as_bytes()).unwrap();
    }
    assert!(
        files(dir.path()).iter().filter(|f| f.ends_with(".seg")).count() > 1,
        "several segments"
    );
    assert_eq!(q.oldest_written_at(), Some(0));
    for _ in 0..10 {
        q.pop().unwrap();
    }
    let queued = q.queued_bytes();
    drop(q);
    let mut q = Queue::open(dir.path(), small()).unwrap();
    assert_eq!(q.queued_bytes(), queued, "the undelivered bytes survive a restart");
    assert_eq!(q.oldest_written_at(), Some(10));
    let rest = drain(&mut q);
    assert_eq!(
        rest.iter().map(|e| e.written_at).collect::<Vec<_>>(),
        (10..40).collect::<Vec<_>>()
    );
    assert_eq!(rest[0].payload, b"batch 10");
    assert!(q.is_empty());
    assert_eq!(files(dir.path()), vec!["head"], "a drained queue keeps no segment");
}

#[test]
fn a_full_queue_refuses_and_takes_more_once_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = Queue::open(
        dir.path(),
        Limits {
            max_bytes: 100,
            segment_bytes: 1000,
        },
    )
    .unwrap();
    q.push(1, &[0; 40]).unwrap(); // 56 bytes
    match q.push(2, &[0; 40]) {
        Err(Error::Full { queued, max, .. }) => assert_eq!((queued, max), (56, 100)),
        other => panic!("{other:?}"),
    }
    let err = q.push(2, &[0; 40]).unwrap_err().to_string();
    assert!(
        err.contains("is full: 56 bytes queued, the limit is 100 bytes"),
        "{err}"
    );
    q.pop().unwrap();
    q.push(2, &[0; 40]).unwrap();
    assert_eq!(drain(&mut q).len(), 1);
}

#[test]
fn a_torn_append_is_cut_off_and_the_queue_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = Queue::open(dir.path(), Limits::default()).unwrap();
    q.push(1, b"one").unwrap();
    q.push(2, b"two").unwrap();
    drop(q);
    // A crash half-way through a third append.
    let seg = segment_path(dir.path(), 1);
    let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
    f.write_all(&[9, 0, 0, 0, 1, 2, 3]).unwrap();
    drop(f);
    let mut q = Queue::open(dir.path(), Limits::default()).unwrap();
    assert_eq!(
        fs::metadata(&seg).unwrap().len(),
        2 * (HEADER + 3),
        "the torn bytes are gone"
    );
    q.push(3, b"three").unwrap();
    let got: Vec<Vec<u8>> = drain(&mut q).into_iter().map(|e| e.payload).collect();
    assert_eq!(got, vec![b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]);
}

#[test]
fn a_damaged_record_skips_its_segment_and_later_segments_are_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = Queue::open(dir.path(), small()).unwrap();
    for i in 0..40i64 {
        q.push(i, &[i as u8; 20]).unwrap();
    }
    // Flip a payload byte of the first record in the first segment (not the last segment,
    // which open checks).
    let seg = segment_path(dir.path(), 1);
    let mut bytes = fs::read(&seg).unwrap();
    bytes[HEADER as usize] ^= 0xff;
    fs::write(&seg, &bytes).unwrap();
    let first_segment_records = bytes.len() as u64 / (HEADER + 20);
    let got = drain(&mut q);
    assert_eq!(got.len() as u64, 40 - first_segment_records);
    assert_eq!(got[0].written_at, first_segment_records as i64);
    assert!(q.is_empty());
}

#[test]
fn removing_a_queue_deletes_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node-7");
    let mut q = Queue::open(&path, small()).unwrap();
    q.push(1, b"x").unwrap();
    q.remove().unwrap();
    assert!(!path.exists());
}

#[derive(Debug, Clone)]
enum Op {
    Push(usize),
    Pop,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..300).prop_map(Op::Push),
        3 => Just(Op::Pop),
        1 => Just(Op::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// Against a plain in-memory queue: the same entries, in the same order, the same byte
    /// count and the same refusals, whatever the pushes, pops and restarts.
    #[test]
    fn behaves_as_a_fifo_across_restarts(ops in proptest::collection::vec(op(), 1..120)) {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits { max_bytes: 2000, segment_bytes: 500 };
        let mut q = Queue::open(dir.path(), limits).unwrap();
        let mut model: VecDeque<Entry> = VecDeque::new();
        let mut clock = 0i64;
        for op in ops {
            match op {
                Op::Push(n) => {
                    clock += 1;
                    let payload = vec![(clock % 251) as u8; n];
                    let model_bytes: u64 = model.iter().map(|e| HEADER + e.payload.len() as u64).sum();
                    let fits = model_bytes + HEADER + n as u64 <= limits.max_bytes;
                    let pushed = q.push(clock, &payload);
                    prop_assert_eq!(pushed.is_ok(), fits, "{:?}", pushed);
                    if fits {
                        model.push_back(Entry { written_at: clock, payload });
                    }
                }
                Op::Pop => {
                    q.pop().unwrap();
                    model.pop_front();
                }
                Op::Reopen => {
                    drop(q);
                    q = Queue::open(dir.path(), limits).unwrap();
                }
            }
            let model_bytes: u64 = model.iter().map(|e| HEADER + e.payload.len() as u64).sum();
            prop_assert_eq!(q.queued_bytes(), model_bytes);
            prop_assert_eq!(q.oldest_written_at(), model.front().map(|e| e.written_at));
            let peeked = q.peek().unwrap();
            prop_assert_eq!(peeked.as_ref(), model.front());
        }
        prop_assert_eq!(drain(&mut q), Vec::from(model));
    }
}
