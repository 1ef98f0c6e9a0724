//! results: the body of a `/query` answer, encoded while the executor produces it and sent
//! through a bounded channel, so that neither a large answer nor a slow reader makes the
//! node hold the whole result.
//!
//! Chunked answers (`chunked=true`) go out one JSON document (or CSV block) per result, as
//! InfluxDB sends them. Whole answers are held, merged per statement as InfluxDB merges
//! them, until they reach [`STREAM_AFTER`] bytes: small answers (nearly all of them) are
//! byte-for-byte what InfluxDB writes; larger ones are then written out as they grow (see
//! [`DocumentWriter`]) instead of being built in memory first. `max-row-limit` cuts whole
//! answers as InfluxDB does and stops the query once it is reached. A client that goes
//! away stops the query ([`StopReason::ClientGone`]).

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::format::{CsvEncoder, DocumentWriter, Epoch, JsonEncoder};
use crate::query::{row_bytes, QueryControl, Reservation, StatementResult, StopReason};

/// Bytes of rows a whole answer holds before it is streamed.
pub(super) const STREAM_AFTER: usize = 1 << 20;

/// How often a send blocked by a slow reader looks whether its query was stopped.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// Bytes of encoded text gathered before a send.
const SEND_AFTER: usize = 64 << 10;

/// How the answer is laid out.
#[derive(Debug, Clone, Copy)]
pub(super) enum Layout {
    /// One document (or CSV block) per result.
    Chunked,
    /// One document, cut at `max-row-limit` rows (0: no limit).
    Whole { max_row_limit: usize },
}

/// The encoder of the answer's text.
#[derive(Debug)]
pub(super) enum Encoding {
    Json(JsonEncoder),
    Csv(CsvEncoder),
}

impl Encoding {
    pub(super) fn new(csv: bool, epoch: Epoch, pretty: bool) -> Self {
        if csv {
            Self::Csv(CsvEncoder::new(epoch))
        } else {
            Self::Json(JsonEncoder { epoch, pretty })
        }
    }
}

/// Takes the executor's results and sends the answer's bytes.
pub(super) struct ResultSink {
    tx: mpsc::Sender<Bytes>,
    layout: Layout,
    encoding: Encoding,
    control: Arc<QueryControl>,
    /// Text not sent yet.
    out: String,
    /// Chunked: the last result, held until we know whether its statement goes on.
    held: Option<StatementResult>,
    /// Whole: the results held while the answer is small, and their memory.
    pending: Vec<StatementResult>,
    reserved: Reservation,
    /// Whole: the document being streamed, once the answer outgrew [`STREAM_AFTER`].
    document: Option<DocumentWriter>,
    /// Whole, CSV: streaming has begun.
    csv_streaming: bool,
    /// Rows in the answer so far (`max-row-limit`).
    rows: usize,
    /// No more results are wanted (row limit reached, or the client is gone).
    done: bool,
    /// The client takes gzip: text is compressed here, on the query's thread, before it is
    /// sent (each chunked document flushed, so an NDJSON reader sees it at once).
    gzip: Option<flate2::write::GzEncoder<Vec<u8>>>,
}

impl ResultSink {
    pub(super) fn new(tx: mpsc::Sender<Bytes>, layout: Layout, encoding: Encoding, control: Arc<QueryControl>) -> Self {
        let reserved = Reservation::new(&control);
        Self {
            tx,
            layout,
            encoding,
            control,
            out: String::new(),
            held: None,
            pending: Vec::new(),
            reserved,
            document: None,
            csv_streaming: false,
            rows: 0,
            done: false,
            gzip: None,
        }
    }

    /// Compresses the answer with gzip.
    pub(super) fn gzip(mut self) -> Self {
        self.gzip = Some(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        self
    }

    pub(super) fn push(&mut self, mut r: StatementResult) {
        if self.done {
            return;
        }
        match self.layout {
            Layout::Chunked => {
                if let Some(mut prev) = self.held.take() {
                    if prev.statement_id == r.statement_id {
                        prev.partial = true;
                    }
                    self.encode_alone(&prev);
                    self.send(false);
                }
                self.held = Some(r);
            }
            Layout::Whole { max_row_limit } => {
                let reached = max_row_limit > 0 && self.cut(&mut r, max_row_limit);
                if self.document.is_some() || self.csv_streaming {
                    self.stream(&r);
                } else {
                    self.hold(r);
                }
                if reached {
                    // InfluxDB stops reading results here; so does the query.
                    self.done = true;
                    self.control.stop(StopReason::Satisfied);
                }
            }
        }
    }

    /// Sends what is left and ends the answer.
    pub(super) fn finish(mut self) {
        if self.done && matches!(self.layout, Layout::Chunked) {
            return;
        }
        match self.layout {
            Layout::Chunked => {
                if let Some(last) = self.held.take() {
                    self.encode_alone(&last);
                }
            }
            Layout::Whole { .. } => {
                if let Some(doc) = &mut self.document {
                    doc.finish(&mut self.out);
                } else if !self.csv_streaming {
                    let pending = std::mem::take(&mut self.pending);
                    match &mut self.encoding {
                        Encoding::Json(enc) => self.out.push_str(&enc.response(&pending, None)),
                        Encoding::Csv(enc) => self.out.push_str(&enc.results(&pending)),
                    }
                }
            }
        }
        self.send(true);
    }

    /// InfluxDB's `max-row-limit` on one result: the series that crosses the limit is cut
    /// and marked partial, those after it dropped. Whether the limit is reached.
    fn cut(&mut self, r: &mut StatementResult, limit: usize) -> bool {
        for i in 0..r.series.len() {
            let series = &mut r.series[i];
            let room = limit.saturating_sub(self.rows);
            if room < series.values.len() {
                series.values.truncate(room);
                series.partial = true;
                // InfluxDB 1.6.7 marks the statement's result partial when it cut a series
                // (not when the limit falls between two).
                r.partial = true;
            }
            self.rows += r.series[i].values.len();
            if self.rows >= limit {
                r.series.truncate(i + 1);
                return true;
            }
        }
        false
    }

    /// Whole answers while small: merged as InfluxDB merges a statement's results.
    fn hold(&mut self, r: StatementResult) {
        let bytes: usize = r.series.iter().flat_map(|s| &s.values).map(|v| row_bytes(v)).sum();
        if self.reserved.grow(bytes).is_err() || self.reserved.bytes() > STREAM_AFTER {
            // Too large to hold: from here on the answer is written as it comes.
            let pending = std::mem::take(&mut self.pending);
            self.reserved.resize(0).ok();
            match &mut self.encoding {
                Encoding::Json(enc) => self.document = Some(DocumentWriter::new(*enc)),
                Encoding::Csv(_) => self.csv_streaming = true,
            }
            for p in &pending {
                self.stream(p);
            }
            self.stream(&r);
            return;
        }
        match self.pending.last_mut() {
            Some(last) if last.statement_id == r.statement_id => {
                if r.error.is_some() {
                    *last = r;
                    return;
                }
                let mut series = r.series.into_iter().peekable();
                if let Some(tail) = last.series.last_mut() {
                    while let Some(s) = series.next_if(|s| s.name == tail.name && s.tags == tail.tags) {
                        tail.values.extend(s.values);
                        tail.partial = s.partial;
                    }
                }
                last.series.extend(series);
                last.messages.extend(r.messages);
                last.partial = r.partial;
            }
            _ => self.pending.push(r),
        }
    }

    /// Whole answers once large: encoded now, sent when enough text gathered.
    fn stream(&mut self, r: &StatementResult) {
        match &mut self.encoding {
            Encoding::Json(_) => {
                if let Some(doc) = &mut self.document {
                    doc.push(&mut self.out, r);
                }
            }
            Encoding::Csv(enc) => self.out.push_str(&enc.results(std::slice::from_ref(r))),
        }
        self.send(false);
    }

    fn encode_alone(&mut self, r: &StatementResult) {
        match &mut self.encoding {
            Encoding::Json(enc) => self.out.push_str(&enc.response(std::slice::from_ref(r), None)),
            Encoding::Csv(enc) => self.out.push_str(&enc.results(std::slice::from_ref(r))),
        }
    }

    /// Sends the gathered text (chunked answers: every document at once; whole ones: in
    /// pieces of [`SEND_AFTER`]; `last`: all that is left, and the end of the gzip stream).
    /// A closed channel means the client left: the query stops.
    fn send(&mut self, last: bool) {
        let chunked = matches!(self.layout, Layout::Chunked);
        if !last && (self.out.is_empty() || !(chunked || self.out.len() >= SEND_AFTER)) {
            return;
        }
        let text = std::mem::take(&mut self.out);
        let bytes = match self.gzip.take() {
            None => Bytes::from(text),
            Some(mut enc) => {
                use std::io::Write;
                // Writing to a Vec cannot fail. Only chunked documents are flushed: a whole
                // answer is read at its end, and a flush costs compression.
                let _ = enc.write_all(text.as_bytes());
                if last {
                    Bytes::from(enc.finish().unwrap_or_default())
                } else {
                    if chunked {
                        let _ = enc.flush();
                    }
                    let produced = std::mem::take(enc.get_mut());
                    self.gzip = Some(enc);
                    Bytes::from(produced)
                }
            }
        };
        if bytes.is_empty() {
            return;
        }
        if !self.deliver(bytes) {
            self.done = true;
            self.control.stop(StopReason::ClientGone);
        }
    }

    /// Waits for room in the channel (a slow reader holds the query here), looking every
    /// [`STOP_POLL`] whether the query was stopped meanwhile (KILL QUERY, query-timeout),
    /// which ends the wait. Whether the bytes went out.
    fn deliver(&self, text: Bytes) -> bool {
        // Nearly always there is room: no timer is armed then (arming one wakes the
        // runtime's driver, a context switch per query).
        let text = match self.tx.try_send(text) {
            Ok(()) => return true,
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
            Err(mpsc::error::TrySendError::Full(text)) => text,
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return self.tx.blocking_send(text).is_ok();
        };
        runtime.block_on(async {
            let send = self.tx.send(text);
            tokio::pin!(send);
            loop {
                tokio::select! {
                    sent = &mut send => return sent.is_ok(),
                    () = tokio::time::sleep(STOP_POLL) => {
                        if self.control.stopped().is_some() {
                            return false;
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Row, Value};

    fn series(name: &str, n: usize) -> Row {
        Row {
            name: name.to_owned(),
            columns: vec!["time".into(), "v".into()],
            values: (0..n)
                .map(|i| vec![Value::Time(i as i64), Value::Integer(i as i64)])
                .collect(),
            ..Row::default()
        }
    }

    fn result(id: usize, rows: Vec<Row>) -> StatementResult {
        StatementResult {
            statement_id: id,
            series: rows,
            ..StatementResult::default()
        }
    }

    /// Runs `results` through a sink and returns the answer's text.
    fn answer(layout: Layout, results: Vec<StatementResult>) -> (String, Arc<QueryControl>) {
        let (text, control, _) = answer_in_pieces(layout, results);
        (text, control)
    }

    /// [`answer`], and the number of sends it took.
    fn answer_in_pieces(layout: Layout, results: Vec<StatementResult>) -> (String, Arc<QueryControl>, usize) {
        let (tx, mut rx) = mpsc::channel(1024);
        let control = Arc::new(QueryControl::default());
        let json = JsonEncoder {
            epoch: Epoch::Integer(1),
            pretty: false,
        };
        let mut sink = ResultSink::new(tx, layout, Encoding::Json(json), Arc::clone(&control));
        for r in results {
            sink.push(r);
        }
        sink.finish();
        let mut text = String::new();
        let mut sends = 0;
        while let Ok(b) = rx.try_recv() {
            text.push_str(std::str::from_utf8(&b).unwrap());
            sends += 1;
        }
        (text, control, sends)
    }

    /// [`answer_in_pieces`] with gzip: the decoded text and the number of sends.
    fn gzip_answer(layout: Layout, results: Vec<StatementResult>) -> (String, usize) {
        use std::io::Read;
        let (tx, mut rx) = mpsc::channel(1024);
        let json = JsonEncoder {
            epoch: Epoch::Integer(1),
            pretty: false,
        };
        let control = Arc::new(QueryControl::default());
        let mut sink = ResultSink::new(tx, layout, Encoding::Json(json), control).gzip();
        for r in results {
            sink.push(r);
        }
        sink.finish();
        let (mut all, mut sends) = (Vec::new(), 0);
        while let Ok(b) = rx.try_recv() {
            all.extend_from_slice(&b);
            sends += 1;
        }
        let mut text = String::new();
        flate2::read::GzDecoder::new(&all[..])
            .read_to_string(&mut text)
            .expect("a whole gzip stream");
        (text, sends)
    }

    #[test]
    fn a_large_gzip_whole_answer_is_the_plain_one_in_pieces() {
        let n = STREAM_AFTER / 64 + 10;
        let pieces = || vec![result(0, vec![series("a", n)]), result(1, vec![series("c", 1)])];
        let (plain, _) = answer(Layout::Whole { max_row_limit: 0 }, pieces());
        let (text, sends) = gzip_answer(Layout::Whole { max_row_limit: 0 }, pieces());
        assert!(sends > 1, "sent in {sends} piece(s)");
        assert_eq!(text, plain);
        let (small, sends) = gzip_answer(
            Layout::Whole { max_row_limit: 0 },
            vec![result(0, vec![series("a", 2)])],
        );
        assert_eq!(sends, 1, "a small answer is one send, the gzip end included");
        assert_eq!(
            small,
            answer(
                Layout::Whole { max_row_limit: 0 },
                vec![result(0, vec![series("a", 2)])]
            )
            .0
        );
    }

    #[test]
    fn a_small_whole_answer_merges_pieces_of_a_series() {
        let (text, _) = answer(
            Layout::Whole { max_row_limit: 0 },
            vec![
                result(0, vec![series("a", 1)]),
                result(0, vec![series("a", 1), series("b", 1)]),
            ],
        );
        assert_eq!(
            text,
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"a\",\"columns\":[\"time\",\"v\"],\"values\":[[0,0],[0,0]]},{\"name\":\"b\",\"columns\":[\"time\",\"v\"],\"values\":[[0,0]]}]}]}\n"
        );
    }

    #[test]
    fn max_row_limit_cuts_the_crossing_series_and_stops_the_query() {
        let (text, control) = answer(
            Layout::Whole { max_row_limit: 3 },
            vec![
                result(0, vec![series("a", 2), series("b", 2), series("c", 2)]),
                result(1, vec![series("d", 1)]),
            ],
        );
        assert_eq!(
            text,
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"a\",\"columns\":[\"time\",\"v\"],\"values\":[[0,0],[1,1]]},{\"name\":\"b\",\"columns\":[\"time\",\"v\"],\"values\":[[0,0]],\"partial\":true}],\"partial\":true}]}\n"
        );
        assert_eq!(control.stopped(), Some(StopReason::Satisfied));
    }

    #[test]
    fn a_large_whole_answer_streams_the_same_document() {
        // Enough rows to pass STREAM_AFTER, in pieces of one series then another.
        let n = STREAM_AFTER / 64 + 10;
        let pieces = vec![
            result(0, vec![series("a", n)]),
            result(0, vec![series("a", 3)]),
            result(0, vec![series("b", 2)]),
            result(1, vec![series("c", 1)]),
        ];
        let whole = JsonEncoder {
            epoch: Epoch::Integer(1),
            pretty: false,
        };
        let mut merged_a = series("a", n);
        merged_a.values.extend(series("a", 3).values);
        let expected = whole.response(
            &[
                result(0, vec![merged_a, series("b", 2)]),
                result(1, vec![series("c", 1)]),
            ],
            None,
        );
        let (text, control, sends) = answer_in_pieces(Layout::Whole { max_row_limit: 0 }, pieces);
        assert!(sends > 1, "sent in {sends} piece(s)");
        assert_eq!(text, expected);
        assert_eq!(control.memory(), 0, "the held rows are given back");
    }

    #[test]
    fn an_error_after_streamed_rows_follows_them() {
        let n = STREAM_AFTER / 64 + 10;
        let (text, _) = answer(
            Layout::Whole { max_row_limit: 0 },
            vec![
                result(0, vec![series("a", n)]),
                StatementResult::error(0, "query-timeout limit exceeded"),
            ],
        );
        assert!(
            text.ends_with("]]}],\"error\":\"query-timeout limit exceeded\"}]}\n"),
            "{}",
            &text[text.len() - 80..]
        );
        serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    }

    #[test]
    fn pretty_streamed_documents_are_valid_json() {
        let n = STREAM_AFTER / 64 + 10;
        let (tx, mut rx) = mpsc::channel(4096);
        let control = Arc::new(QueryControl::default());
        let json = JsonEncoder {
            epoch: Epoch::Rfc3339,
            pretty: true,
        };
        let mut sink = ResultSink::new(tx, Layout::Whole { max_row_limit: 0 }, Encoding::Json(json), control);
        sink.push(result(0, vec![series("a", n), series("b", 1)]));
        sink.push(result(1, vec![series("c", 1)]));
        sink.finish();
        let mut text = String::new();
        while let Ok(b) = rx.try_recv() {
            text.push_str(std::str::from_utf8(&b).unwrap());
        }
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["results"][0]["series"][0]["values"].as_array().unwrap().len(), n);
        assert_eq!(v["results"][1]["series"][0]["name"], "c");
    }

    #[test]
    fn a_closed_channel_stops_the_query() {
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let control = Arc::new(QueryControl::default());
        let json = JsonEncoder {
            epoch: Epoch::Integer(1),
            pretty: false,
        };
        let mut sink = ResultSink::new(tx, Layout::Chunked, Encoding::Json(json), Arc::clone(&control));
        sink.push(result(0, vec![series("a", 1)]));
        sink.push(result(1, vec![series("a", 1)]));
        assert_eq!(control.stopped(), Some(StopReason::ClientGone));
    }

    /// A gzip answer is the plain one compressed, and every chunked document can be read
    /// as soon as its bytes arrive (each send is flushed).
    #[test]
    fn a_gzip_answer_decodes_to_the_plain_one_send_by_send() {
        use std::io::Read;
        let results = || vec![result(0, vec![series("a", 3)]), result(1, vec![series("b", 2)])];
        let (plain, _) = answer(Layout::Chunked, results());
        let (tx, mut rx) = mpsc::channel(1024);
        let json = JsonEncoder {
            epoch: Epoch::Integer(1),
            pretty: false,
        };
        let control = Arc::new(QueryControl::default());
        let mut sink = ResultSink::new(tx, Layout::Chunked, Encoding::Json(json), control).gzip();
        let mut it = results().into_iter();
        sink.push(it.next().unwrap());
        sink.push(it.next().unwrap());
        // The first document went out when the second result came.
        let first = rx.try_recv().expect("first document sent");
        let mut partial = String::new();
        let mut dec = flate2::read::GzDecoder::new(&first[..]);
        // A flushed but unfinished gzip stream reads up to its end, then reports EOF early.
        let _ = dec.read_to_string(&mut partial);
        assert_eq!(partial, plain.lines().next().unwrap().to_owned() + "\n");
        sink.finish();
        let mut all = first.to_vec();
        while let Ok(b) = rx.try_recv() {
            all.extend_from_slice(&b);
        }
        let mut text = String::new();
        flate2::read::GzDecoder::new(&all[..])
            .read_to_string(&mut text)
            .expect("a whole gzip stream");
        assert_eq!(text, plain);
        assert_eq!(gzip_answer(Layout::Chunked, results()).0, plain);
    }
}
