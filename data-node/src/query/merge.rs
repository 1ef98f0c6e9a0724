//! merge: the order in which InfluxDB 1.x meets the points of several series at the same
//! time. Its sorted merge iterator keeps the series' iterators in a binary heap (Go's
//! `container/heap`) ordered by time alone, so points at equal times come out in whatever
//! order the heap's sifting leaves them — not in series-key order, and not the same from one
//! timestamp to the next. Transformations that keep one point per timestamp (`derivative`,
//! `difference`, ...) over several merged series see that order, so Cairn replays the heap.

/// Merges time-ordered streams as Go's sorted merge iterator does: a heap of streams built
/// with `heap.Init` in the given order, `heap.Pop` for the earliest point, `heap.Push` of the
/// stream's next point. Points are `(time, item)`; within a stream times ascend.
pub(super) fn go_heap_merge<T>(streams: Vec<Vec<(i64, T)>>) -> Vec<(i64, T)> {
    let total = streams.iter().map(Vec::len).sum();
    let mut iters: Vec<std::vec::IntoIter<(i64, T)>> = streams.into_iter().map(IntoIterator::into_iter).collect();
    // Each stream's next point; the heap holds stream indexes ordered by its time.
    let mut next: Vec<Option<(i64, T)>> = iters.iter_mut().map(Iterator::next).collect();
    let mut heap: Vec<usize> = (0..next.len()).filter(|&s| next[s].is_some()).collect();
    let n = heap.len();
    for i in (0..n / 2).rev() {
        down(&mut heap, &|s| time_of(&next, s), i, n);
    }
    let mut out = Vec::with_capacity(total);
    while !heap.is_empty() {
        // heap.Pop: the root goes to the end, the new root sifts down, the end is removed.
        let last = heap.len() - 1;
        heap.swap(0, last);
        down(&mut heap, &|s| time_of(&next, s), 0, last);
        let Some(s) = heap.pop() else { break };
        if let Some(p) = next[s].take() {
            out.push(p);
        }
        // heap.Push of the stream with its next point.
        next[s] = iters[s].next();
        if next[s].is_some() {
            heap.push(s);
            let end = heap.len() - 1;
            up(&mut heap, &|s| time_of(&next, s), end);
        }
    }
    out
}

fn time_of<T>(next: &[Option<(i64, T)>], s: usize) -> i64 {
    next[s].as_ref().map_or(i64::MAX, |p| p.0)
}

/// Go's `heap.down` with `Less(i, j)` = time of i < time of j.
fn down(heap: &mut [usize], time: &dyn Fn(usize) -> i64, i0: usize, n: usize) {
    let mut i = i0;
    loop {
        let j1 = 2 * i + 1;
        if j1 >= n {
            break;
        }
        let mut j = j1;
        let j2 = j1 + 1;
        if j2 < n && time(heap[j2]) < time(heap[j1]) {
            j = j2;
        }
        if time(heap[j]) >= time(heap[i]) {
            break;
        }
        heap.swap(i, j);
        i = j;
    }
}

/// Go's `heap.up`.
fn up(heap: &mut [usize], time: &dyn Fn(usize) -> i64, mut j: usize) {
    while j > 0 {
        let i = (j - 1) / 2;
        if time(heap[j]) >= time(heap[i]) {
            break;
        }
        heap.swap(i, j);
        j = i;
    }
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
        let out = go_heap_merge(streams);
        let times: Vec<i64> = out.iter().map(|p| p.0).collect();
        assert_eq!(times, vec![0, 1, 2, 4, 4, 6, 9]);
        // Three streams tied at every time, as three series written at the same instants.
        // Traced by hand through container/heap: t=0 x z y (Init leaves [x y z]; each Pop
        // swaps the root with the last and sifts), t=1 z y x, t=2 y x z.
        let tied = |c| vec![(0, c), (1, c), (2, c)];
        let out = go_heap_merge(vec![tied('x'), tied('y'), tied('z')]);
        let order: String = out.iter().map(|p| p.1).collect();
        assert_eq!(order, "xzyzyxyxz");
    }
}
