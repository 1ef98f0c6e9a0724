use proptest::prelude::*;

use super::*;

/// Round-trips `values` through `codec` (or the encoder's choice); `None` when the decimal
/// codec cannot hold them.
fn round_trip(codec: Option<u8>, values: &[f64]) -> Option<(u8, usize)> {
    let mut out = Vec::new();
    let codec = match codec {
        Some(c) => {
            if !encode_with(c, values, &mut out) {
                return None;
            }
            c
        }
        None => encode(values, &mut out),
    };
    let mut got = Vec::new();
    let mut r = Reader::new(&out);
    decode(codec, &mut r, values.len(), values[0], &mut got).unwrap();
    assert_eq!(r.remaining(), 0);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(values), "codec {codec}");
    Some((codec, out.len()))
}

/// The arena's devops walk: a uniform step in [-1, 1] with 52 random bits, clamped.
fn random_walk(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut unit = || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut v = unit() * 100.0;
    (0..n)
        .map(|_| {
            v = (v + (unit() - 0.5) * 2.0).clamp(0.0, 100.0);
            v
        })
        .collect()
}

#[test]
fn ord_is_monotonic() {
    let xs = [
        f64::MIN,
        -1.0,
        -f64::MIN_POSITIVE,
        -5e-324,
        -0.0,
        0.0,
        5e-324,
        1.0,
        f64::MAX,
    ];
    for w in xs.windows(2) {
        assert!(ord(w[0]) < ord(w[1]), "{} {}", w[0], w[1]);
    }
    for x in xs {
        assert_eq!(from_ord(ord(x)).to_bits(), x.to_bits());
    }
    assert_eq!((ord(-0.0), ord(0.0)), (-1, 0));
}

#[test]
fn chosen_encodings() {
    let f = |values: Vec<f64>, want: (u8, usize)| assert_eq!(round_trip(None, &values), Some(want), "{values:?}");
    // Two decimals, 100 points in 1.00..=1.99: scale 10^2, steps of +0.37 or -0.63 in 7 bits.
    let loads: Vec<f64> = (0..100).map(|i| f64::from((i * 37) % 100 + 100) / 100.0).collect();
    f(loads, (DECIMAL, 1 + 1 + 1 + (99usize * 7).div_ceil(8)));
    // Whole numbers stored as floats.
    f((0..128).map(f64::from).collect(), (DECIMAL, 1 + 2));
    // A constant: width-0 frames; the decimal codec would take a byte more for its scale.
    f(vec![3.25; 1000], (ULP, 8 * 2));
    // Full-precision random walk around 50: 48-49 bits a value.
    let (codec, len) = round_trip(None, &random_walk(1000, 7)).unwrap();
    assert_eq!(codec, ULP);
    assert!(len < 999 * 50 / 8, "{len}");
    // Random values that repeat: Gorilla's one bit per repeat wins.
    let walk = random_walk(10, 3);
    f((0..100).map(|i| walk[i / 10]).collect(), (GORILLA, 80));
    f(vec![1.5], (ULP, 0));
}

#[test]
fn decimal_scales() {
    let f = |values: &[f64], want: Option<u8>| {
        assert_eq!(decimal_scale(values).map(|(e, _)| e), want, "{values:?}");
    };
    f(&[1.0, 2.0, -3.0], Some(0));
    f(&[0.38, 1.5], Some(2));
    f(&[0.1, 0.2, 0.3], Some(1));
    f(&[1e-18], Some(18));
    f(&[123_456.789_012_345], Some(9));
    // The devops walk prints 16 significant digits: still exact as integers below 2^53.
    f(&[34.04148428638412], Some(14));
    f(&[0.1 + 0.2], None);
    f(&[-0.0], None);
    f(&[1e300], None);
    f(&[5e-324], None);
}

#[test]
fn corrupt_inputs() {
    let f = |codec: u8, bytes: &[u8], want: &str| {
        let err = decode(codec, &mut Reader::new(bytes), 3, 1.0, &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), want);
    };
    f(7, &[], "cannot decode float values: unknown float codec 7");
    f(
        DECIMAL,
        &[19],
        "cannot decode float values: decimal scale 10^19; want <= 10^18",
    );
    f(
        DECIMAL,
        &[2 | 3 << 5],
        "cannot decode float values: unknown integer codec 3",
    );
    f(ULP, &[3], "cannot decode float values: got 1 bytes; want at least 2");
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(-5e-324),
        (-1_000_000i64..1_000_000, 0usize..6).prop_map(|(m, e)| m as f64 / POW10F[e]),
    ]
}

proptest! {
    #[test]
    fn any_floats(values in prop::collection::vec(finite(), 1..400), codec in prop::option::of(0u8..3)) {
        round_trip(codec, &values);
    }

    #[test]
    fn walks(n in 1usize..1100, seed in any::<u64>(), codec in prop::option::of(0u8..3)) {
        round_trip(codec, &random_walk(n, seed));
    }

    #[test]
    fn decimals(ints in prop::collection::vec(-100_000i64..100_000, 1..300), e in 0usize..8, codec in prop::option::of(0u8..3)) {
        let values: Vec<f64> = ints.iter().map(|&m| m as f64 / POW10F[e]).collect();
        round_trip(codec, &values);
        prop_assert!(decimal_scale(&values).is_some());
    }
}
