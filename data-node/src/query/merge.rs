//! merge: the order in which InfluxDB 1.x meets the points of several series at the same
//! time. Its sorted merge iterator keeps the series' iterators in a binary heap (Go's
//! `container/heap`) ordered by time alone, so points at equal times come out in whatever
//! order the heap's sifting leaves them — not in series-key order, and not the same from one
//! timestamp to the next — unless the points carry auxiliary values (the other columns of a
//! raw query, the tags next to a selector): then equal times are ordered by those values
//! while they are strings, and left to the heap at the first that is not (Go's
//! `SortedMergeHeap.Less`). Transformations that keep one point per timestamp
//! (`derivative`, `difference`, ...), selectors among equal values and raw rows all see
//! that order, so Cairn replays the heap.

use super::functions::go::{heap_down, heap_up};

/// Merges time-ordered streams as Go's sorted merge iterator does: a heap of streams built
/// with `heap.Init` in the given order, `heap.Pop` for the earliest point, `heap.Push` of the
/// stream's next point. Points are `(time, item)`; within a stream times ascend. `tie_less`
/// orders items at equal times (see [`aux_less`]); items it does not order stay in the
/// heap's order.
fn go_heap_merge<T>(streams: Vec<Vec<(i64, T)>>, tie_less: &dyn Fn(&T, &T) -> bool) -> Vec<(i64, T)> {
    let total = streams.iter().map(Vec::len).sum();
    let mut iters: Vec<std::vec::IntoIter<(i64, T)>> = streams.into_iter().map(IntoIterator::into_iter).collect();
    // Each stream's next point; the heap holds stream indexes ordered by its time.
    let mut next: Vec<Option<(i64, T)>> = iters.iter_mut().map(Iterator::next).collect();
    let mut heap: Vec<usize> = (0..next.len()).filter(|&s| next[s].is_some()).collect();
    let n = heap.len();
    for i in (0..n / 2).rev() {
        heap_down(&mut heap, i, n, &|a: &usize, b: &usize| less(&next, *a, *b, tie_less));
    }
    let mut out = Vec::with_capacity(total);
    while !heap.is_empty() {
        // heap.Pop: the root goes to the end, the new root sifts down, the end is removed.
        let last = heap.len() - 1;
        heap.swap(0, last);
        heap_down(&mut heap, 0, last, &|a: &usize, b: &usize| {
            less(&next, *a, *b, tie_less)
        });
        let Some(s) = heap.pop() else { break };
        if let Some(p) = next[s].take() {
            out.push(p);
        }
        // heap.Push of the stream with its next point.
        next[s] = iters[s].next();
        if next[s].is_some() {
            heap.push(s);
            let end = heap.len() - 1;
            heap_up(&mut heap, end, &|a: &usize, b: &usize| less(&next, *a, *b, tie_less));
        }
    }
    out
}

/// Go's `Less` on the next points of streams `a` and `b`.
fn less<T>(next: &[Option<(i64, T)>], a: usize, b: usize, tie_less: &dyn Fn(&T, &T) -> bool) -> bool {
    match (&next[a], &next[b]) {
        (Some(x), Some(y)) => x.0 < y.0 || (x.0 == y.0 && tie_less(&x.1, &y.1)),
        _ => false,
    }
}

/// InfluxDB's two levels of sorted merge: each shard merges its series (`shards[i]`, the
/// series in key order, each sorted by time here), then the shards are merged in order.
pub(super) fn merge_shards<T>(shards: Vec<Vec<Vec<(i64, T)>>>, tie_less: &dyn Fn(&T, &T) -> bool) -> Vec<T> {
    let merged: Vec<Vec<(i64, T)>> = shards
        .into_iter()
        .map(|mut streams| {
            for s in &mut streams {
                s.sort_by_key(|(t, _)| *t);
            }
            go_heap_merge(streams, tie_less)
        })
        .collect();
    go_heap_merge(merged, tie_less)
        .into_iter()
        .map(|(_, item)| item)
        .collect()
}

/// Go's tie rule on auxiliary values, taken from `x` and `y` at the indexes of `order` (Go
/// keeps its auxiliary references sorted by name; a missing value is null): compared one by
/// one while both are strings, the first unequal pair deciding; a value that is not a
/// string ends the comparison (no order).
pub(super) fn aux_less(x: &[super::Value], y: &[super::Value], order: &[usize]) -> bool {
    use super::Value;
    for &i in order {
        match (x.get(i), y.get(i)) {
            (Some(Value::String(a)), Some(Value::String(b))) if a == b => continue,
            (Some(Value::String(a)), Some(Value::String(b))) => return a < b,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_in_time_order_and_replays_the_heap_on_ties() {
        // Times always ascend in the output.
        let streams = vec![
            vec![(1, 'a'), (4, 'a'), (6, 'a')],
            vec![(2, 'b'), (4, 'b')],
            vec![(0, 'c'), (9, 'c')],
        ];
        let out = go_heap_merge(streams, &|_, _| false);
        let times: Vec<i64> = out.iter().map(|p| p.0).collect();
        assert_eq!(times, vec![0, 1, 2, 4, 4, 6, 9]);
        // Three streams tied at every time, as three series written at the same instants.
        // Traced by hand through container/heap: t=0 x z y (Init leaves [x y z]; each Pop
        // swaps the root with the last and sifts), t=1 z y x, t=2 y x z.
        let tied = |c| vec![(0, c), (1, c), (2, c)];
        let out = go_heap_merge(vec![tied('x'), tied('y'), tied('z')], &|_, _| false);
        let order: String = out.iter().map(|p| p.1).collect();
        assert_eq!(order, "xzyzyxyxz");
        // With a tie order (string aux values), equal times follow it.
        let out = go_heap_merge(vec![tied('x'), tied('y'), tied('z')], &|a: &char, b: &char| a < b);
        let order: String = out.iter().map(|p| p.1).collect();
        assert_eq!(order, "xyzxyzxyz");
    }

    #[test]
    fn aux_values_order_while_they_are_strings() {
        use super::super::Value;
        let s = |v: &str| Value::String(v.to_owned());
        let both = [0, 1];
        assert!(aux_less(
            &[s("a"), Value::Float(9.0)],
            &[s("b"), Value::Float(1.0)],
            &both
        ));
        assert!(!aux_less(&[s("b")], &[s("a")], &[0]));
        assert!(aux_less(&[s("a"), s("x")], &[s("a"), s("y")], &both));
        // Taken in `order`: the second value first here.
        assert!(aux_less(&[s("b"), s("x")], &[s("a"), s("y")], &[1, 0]));
        // A non-string value ends the comparison: no order, whatever follows.
        assert!(!aux_less(
            &[Value::Float(1.0), s("a")],
            &[Value::Float(2.0), s("b")],
            &both
        ));
        assert!(!aux_less(&[], &[], &[]));
    }
}
