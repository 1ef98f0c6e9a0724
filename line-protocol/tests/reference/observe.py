#!/usr/bin/env python3
"""Reference corpus generator: what real InfluxDB 1.6.7 does with line protocol.

Runs every case in CASES below against a live InfluxDB 1.6.7 server and writes
one JSON object per case (JSON Lines) describing the HTTP outcome of the write
and what the server actually stored.  Cairn's line-protocol unit tests replay
this corpus against our parser.

Regenerate (standard library only, Python 3.11):

    /work/shared/arena/peers.sh start   # only if the server is not answering /ping
    python3 line-protocol/tests/reference/observe.py \
        [http://127.0.0.1:18086] [line-protocol/tests/reference/influxdb-1.6.7.jsonl]

For case i (0-based): CREATE DATABASE "lp_<i>", POST the body to
/write?db=lp_<i>[&precision=<p>], read back with epoch=ns via SHOW SERIES,
SHOW FIELD KEYS and SELECT *::field FROM /.*/ GROUP BY *, then DROP DATABASE.

Record keys: name, body, precision ("" = parameter not sent), status, error
(verbatim "error" string of the JSON body, null on 204), series (SHOW SERIES
keys, sorted), points.  Each point: measurement, tags (GROUP BY * fills
missing tag keys with "" -- those are dropped, since a stored series never has
an empty tag value), time (int ns, or "now" when the stored time lies between
the wall clock read just before the write, truncated to the precision unit,
and the wall clock read just after it), fields (non-null fields of the row,
name -> {"type", "value"}; type from SHOW FIELD KEYS).  Points are sorted by
(measurement, sorted tag items, time) with "now" sorting after every integer.
Diagnostics (e.g. whether server-assigned times were truncated to the
precision) go to stderr.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

I64_MAX = "9223372036854775807"
I64_MIN = "-9223372036854775808"

# (name, body, precision) -- precision "" means: no precision parameter.
CASES = [
    # ---------------------------------------------------------------- floats
    # a bare integer literal is a float
    ("float_integer_literal", "m v=1 1", ""),
    # trailing dot is accepted as a float
    ("float_trailing_dot", "m v=1. 1", ""),
    # leading dot without integer digits
    ("float_leading_dot", "m v=.5 1", ""),
    # negative zero: is the sign kept?
    ("float_negative_zero", "m v=-0 1", ""),
    # negative zero with a fraction
    ("float_negative_zero_dot", "m v=-0.0 1", ""),
    # lower-case exponent
    ("float_exp_lower", "m v=1e3 1", ""),
    # upper-case exponent with negative sign
    ("float_exp_upper_negative", "m v=1E-3 1", ""),
    # exponent with explicit plus sign
    ("float_exp_plus", "m v=1e+3 1", ""),
    # negative mantissa with negative exponent
    ("float_negative_mantissa_exp", "m v=-1.5e-7 1", ""),
    # leading plus sign on a float
    ("float_plus_sign", "m v=+1 1", ""),
    # leading zeros on a float
    ("float_leading_zeros", "m v=00012 1", ""),
    # very long fractional mantissa is rounded
    ("float_long_mantissa", "m v=3.14159265358979323846264338327950288419716939937510 1", ""),
    # very long integer-digit mantissa (beyond int64) is still a float
    ("float_long_integer_digits", "m v=123456789012345678901234567890 1", ""),
    # large finite value
    ("float_1e308", "m v=1e308 1", ""),
    # largest finite float64
    ("float_max_finite", "m v=1.7976931348623157e308 1", ""),
    # exponent overflow to +Inf
    ("float_overflow_1e309", "m v=1e309 1", ""),
    # negative exponent overflow to -Inf
    ("float_overflow_negative_1e309", "m v=-1e309 1", ""),
    # underflow below the smallest denormal
    ("float_underflow_1e-400", "m v=1e-400 1", ""),
    # smallest denormal
    ("float_smallest_denormal", "m v=5e-324 1", ""),
    # a lone minus sign
    ("float_lone_minus", "m v=- 1", ""),
    # a lone dot
    ("float_lone_dot", "m v=. 1", ""),
    # two decimal points separated by a digit
    ("float_two_dots", "m v=1.2.3 1", ""),
    # two adjacent decimal points
    ("float_double_dot", "m v=1..2 1", ""),
    # hexadecimal literal
    ("float_hex", "m v=0x10 1", ""),
    # underscore digit separator (Go ParseFloat accepts underscores only with base prefix)
    ("float_underscore", "m v=1_000 1", ""),
    # exponent marker without digits
    ("float_exp_no_digits", "m v=1e 1", ""),
    # exponent sign without digits
    ("float_exp_sign_no_digits", "m v=1e- 1", ""),
    # double minus
    ("float_double_minus", "m v=--1 1", ""),
    # minus then leading dot
    ("float_minus_leading_dot", "m v=-.5 1", ""),
    # minus then plus
    ("float_minus_plus", "m v=-+1 1", ""),
    # digits followed by letters
    ("float_digits_then_letters", "m v=12abc 1", ""),
    # exponent with a fraction
    ("float_exp_fraction", "m v=1e1.5 1", ""),
    # float with trailing f suffix
    ("float_f_suffix", "m v=1.5f 1", ""),
    # ------------------------------------------------------------- integers
    # plain integer
    ("int_basic", "m v=1i 1", ""),
    # negative integer
    ("int_negative", "m v=-1i 1", ""),
    # int64 max
    ("int_max", "m v=" + I64_MAX + "i 1", ""),
    # int64 max + 1 overflows
    ("int_max_plus_one", "m v=9223372036854775808i 1", ""),
    # int64 min
    ("int_min", "m v=" + I64_MIN + "i 1", ""),
    # int64 min - 1 overflows
    ("int_min_minus_one", "m v=-9223372036854775809i 1", ""),
    # decimal point before i suffix
    ("int_with_decimal_point", "m v=1.0i 1", ""),
    # exponent before i suffix
    ("int_with_exponent", "m v=1e3i 1", ""),
    # just the letter i (boolean/number check)
    ("int_only_i", "m v=i 1", ""),
    # minus then i
    ("int_minus_i", "m v=-i 1", ""),
    # double i suffix
    ("int_double_i", "m v=1ii 1", ""),
    # digit after the i suffix
    ("int_i_then_digit", "m v=1i2 1", ""),
    # leading zeros on an integer
    ("int_leading_zeros", "m v=007i 1", ""),
    # plus sign on an integer
    ("int_plus_sign", "m v=+1i 1", ""),
    # negative zero integer
    ("int_negative_zero", "m v=-0i 1", ""),
    # upper-case I suffix
    ("int_upper_case_suffix", "m v=1I 1", ""),
    # many digits, far beyond int64
    ("int_huge", "m v=99999999999999999999999i 1", ""),
    # hexadecimal integer
    ("int_hex", "m v=0x10i 1", ""),
    # dot then i
    ("int_dot_i", "m v=.i 1", ""),
    # ------------------------------------------------------------- unsigned
    # unsigned suffix u
    ("uint_basic", "m v=1u 1", ""),
    # uint64 max
    ("uint_max", "m v=18446744073709551615u 1", ""),
    # negative unsigned
    ("uint_negative", "m v=-1u 1", ""),
    # fractional unsigned
    ("uint_fraction", "m v=1.5u 1", ""),
    # zero unsigned
    ("uint_zero", "m v=0u 1", ""),
    # upper-case U suffix
    ("uint_upper_case", "m v=1U 1", ""),
    # ------------------------------------------------------------- booleans
    # t is true
    ("bool_t", "m v=t 1", ""),
    # T is true
    ("bool_T", "m v=T 1", ""),
    # true
    ("bool_true", "m v=true 1", ""),
    # True
    ("bool_True", "m v=True 1", ""),
    # TRUE
    ("bool_TRUE", "m v=TRUE 1", ""),
    # f is false
    ("bool_f", "m v=f 1", ""),
    # F is false
    ("bool_F", "m v=F 1", ""),
    # false
    ("bool_false", "m v=false 1", ""),
    # False
    ("bool_False", "m v=False 1", ""),
    # FALSE
    ("bool_FALSE", "m v=FALSE 1", ""),
    # mixed case tRuE is not in the accepted list
    ("bool_mixed_case_tRuE", "m v=tRuE 1", ""),
    # mixed case fAlSe
    ("bool_mixed_case_fAlSe", "m v=fAlSe 1", ""),
    # yes is not a boolean
    ("bool_yes", "m v=yes 1", ""),
    # truee: prefix of a valid boolean with extra letters
    ("bool_truee", "m v=truee 1", ""),
    # fa: partial false
    ("bool_fa", "m v=fa 1", ""),
    # tr: partial true
    ("bool_tr", "m v=tr 1", ""),
    # Inf is not a number in line protocol
    ("bool_Inf", "m v=Inf 1", ""),
    # inf lower case
    ("bool_inf", "m v=inf 1", ""),
    # -Inf
    ("bool_negative_Inf", "m v=-Inf 1", ""),
    # +Inf
    ("bool_plus_Inf", "m v=+Inf 1", ""),
    # NaN
    ("bool_NaN", "m v=NaN 1", ""),
    # nan lower case
    ("bool_nan", "m v=nan 1", ""),
    # several booleans in one line, all spellings
    ("bool_all_spellings_one_line", "m a=t,b=T,c=true,d=True,e=TRUE,g=f,h=F,i=false,j=False,k=FALSE 1", ""),
    # 1 and 0 are numbers, not booleans
    ("bool_digit_one_zero", "m a=1,b=0 1", ""),
    # -------------------------------------------------------------- strings
    # empty string
    ("str_empty", 'm s="" 1', ""),
    # string with a space
    ("str_space", 'm s="a b" 1', ""),
    # string with a comma
    ("str_comma", 'm s="a,b" 1', ""),
    # string with an equals sign
    ("str_equals", 'm s="a=b" 1', ""),
    # escaped double quotes are unescaped
    ("str_escaped_quotes", 'm s="say \\"hi\\"" 1', ""),
    # escaped backslash is unescaped to one backslash
    ("str_escaped_backslash", 'm s="back\\\\slash" 1', ""),
    # literal backslash-n is kept as two characters
    ("str_backslash_n_literal", 'm s="a\\nb" 1', ""),
    # a real newline inside a quoted string does not end the line
    ("str_real_newline", 'm s="a\nb" 1', ""),
    # UTF-8 in a string
    ("str_utf8", 'm s="é" 1', ""),
    # unbalanced opening quote
    ("str_unbalanced_open", 'm s="abc 1', ""),
    # unbalanced quote swallows the following line
    ("str_unbalanced_swallows_next_line", 'm s="abc 1\nm v=2 2', ""),
    # double quote inside a field key
    ("str_quote_in_field_key", 'm a"b=1 1', ""),
    # garbage after the closing quote
    ("str_garbage_after_close", 'm s="x"y 1', ""),
    # quotes in the middle of an unquoted value
    ("str_unquoted_with_quotes", 'm s=x"y" 1', ""),
    # non-special escape inside a string is kept verbatim
    ("str_nonspecial_escape", 'm s="a\\qb" 1', ""),
    # escaped backslash right before the closing quote
    ("str_escaped_backslash_at_end", 'm s="a\\\\" 1', ""),
    # escaped quote at the end leaves the string unterminated
    ("str_escaped_quote_at_end", 'm s="a\\" 1', ""),
    # triple backslash then quote: backslash + quote
    ("str_triple_backslash_quote", 'm s="a\\\\\\"b" 1', ""),
    # hash inside a string
    ("str_hash", 'm s="#x" 1', ""),
    # string then another field
    ("str_then_number", 'm s="a",v=1 1', ""),
    # real tab inside a string
    ("str_real_tab", 'm s="a\tb" 1', ""),
    # CRLF inside a string
    ("str_crlf_inside", 'm s="a\r\nb" 1', ""),
    # single quotes are not string delimiters
    ("str_single_quotes", "m s='abc' 1", ""),
    # single-quoted with a space
    ("str_single_quotes_space", "m s='a b' 1", ""),
    # string containing a newline and an equals sign (scanLine's equals>commas tracking)
    ("str_newline_and_equals", 'm s="a\nb=c" 1', ""),
    # second string field carrying a newline
    ("str_second_field_newline", 'm a=1,b="x\ny" 1', ""),
    # a long string, 70000 bytes
    ("str_long_70000", 'm s="' + "x" * 70000 + '" 1', ""),
    # quote right after equals with nothing else
    ("str_lone_quote", 'm s=" 1', ""),
    # --------------------------------------------------------- measurements
    # escaped comma in measurement
    ("meas_escaped_comma", "cpu\\,1 v=1 1", ""),
    # escaped space in measurement
    ("meas_escaped_space", "cpu\\ load v=1 1", ""),
    # escaped equals in measurement (is the backslash kept?)
    ("meas_escaped_equals", "cpu\\=x v=1 1", ""),
    # escaped backslash in measurement
    ("meas_escaped_backslash", "cpu\\\\x v=1 1", ""),
    # double quote in measurement
    ("meas_double_quote", 'c"pu v=1 1', ""),
    # escaped double quote in measurement
    ("meas_escaped_double_quote", 'cpu\\"x v=1 1', ""),
    # non-special escape in measurement is kept verbatim
    ("meas_nonspecial_escape", "cpu\\x v=1 1", ""),
    # trailing backslash escapes the following space
    ("meas_trailing_backslash_escapes_space", "cpu\\ v=1 1", ""),
    # body that is only a measurement ending in a backslash
    ("meas_trailing_backslash_end_of_body", "cpu\\", ""),
    # escaped backslash, then a real space separator
    ("meas_escaped_backslash_then_space", "cpu\\\\ v=1 1", ""),
    # hash after leading spaces: a comment, not a measurement
    ("meas_hash_after_spaces", "  #cpu v=1 1", ""),
    # hash inside a measurement name
    ("meas_hash_inside", "c#pu v=1 1", ""),
    # measurement starting with a comma
    ("meas_starts_with_comma", ",cpu v=1 1", ""),
    # unescaped equals in measurement
    ("meas_unescaped_equals", "cpu=x v=1 1", ""),
    # tab inside measurement
    ("meas_tab_inside", "cpu\tload v=1 1", ""),
    # long measurement name (1000 bytes)
    ("meas_long_1000", "m" * 1000 + " v=1 1", ""),
    # measurement making the series key exceed 65535 bytes
    ("meas_over_max_key_length", "m" * 65536 + " v=1 1", ""),
    # series key exactly 65535 bytes (but series key + field key is longer)
    ("meas_exact_max_key_length", "m" * 65535 + " v=1 1", ""),
    # series key + "#!~#" + field key exactly 65535 bytes
    ("meas_key_plus_field_at_limit", "m" * 65530 + " v=1 1", ""),
    # series key + "#!~#" + field key one byte over the limit
    ("meas_key_plus_field_over_limit", "m" * 65531 + " v=1 1", ""),
    # one field fits the limit, a second longer field does not
    ("meas_key_plus_second_field_over_limit", "m" * 65530 + " v=1,vv=2 1", ""),
    # escaped equals in a measurement with a tag (listed by SHOW SERIES, unreachable by SELECT?)
    ("meas_escaped_equals_with_tag", "cpu\=x,host=a v=1 1", ""),
    # unicode measurement
    ("meas_unicode", "ü温度 v=1 1", ""),
    # emoji measurement
    ("meas_emoji", "📈 v=1 1", ""),
    # missing measurement before tags
    ("meas_missing_before_tags", ",host=a v=1 1", ""),
    # leading space then fields only: leading whitespace is skipped
    ("meas_missing_leading_space", " v=1 1", ""),
    # escaped comma then a real tag
    ("meas_escaped_comma_then_tag", "cpu\\,x,host=a v=1 1", ""),
    # escaped backslash followed by a comma (buf[i-1]=='\\' quirk)
    ("meas_escaped_backslash_then_comma", "cpu\\\\,a=b v=1 1", ""),
    # three backslashes then comma
    ("meas_three_backslashes_comma", "cpu\\\\\\,a v=1 1", ""),
    # numeric measurement
    ("meas_numeric", "123 v=1 1", ""),
    # measurement that is only an escaped space
    ("meas_only_escaped_space", "\\  v=1 1", ""),
    # punctuation in measurement
    ("meas_punctuation", "a.b/c-d:e v=1 1", ""),
    # NUL byte inside measurement
    ("meas_nul_inside", "cpu\x00x v=1 1", ""),
    # measurement named time
    ("meas_named_time", "time v=1 1", ""),
    # single-character measurement
    ("meas_single_char", "m v=1 1", ""),
    # escaped tab in measurement (non-special escape)
    ("meas_escaped_tab", "cpu\\\tx v=1 1", ""),
    # ----------------------------------------------------------------- tags
    # unsorted tags: SHOW SERIES key order
    ("tags_unsorted", "m,b=2,a=1 v=1 1", ""),
    # unsorted tags, three keys
    ("tags_unsorted_three", "m,zz=1,a=2,mm=3 v=1 1", ""),
    # tag sort is bytewise (upper case before lower)
    ("tags_sort_bytewise", "m,b=1,B=2,a=3,_=4 v=1 1", ""),
    # duplicate tag key, adjacent
    ("tags_duplicate_sorted", "m,a=1,a=2 v=1 1", ""),
    # duplicate tag key, not adjacent
    ("tags_duplicate_unsorted", "m,a=1,b=2,a=3 v=1 1", ""),
    # duplicate tag key with the same value
    ("tags_duplicate_same_value", "m,a=1,a=1 v=1 1", ""),
    # escaped comma in tag key
    ("tag_key_escaped_comma", "m,a\\,b=1 v=1 1", ""),
    # escaped space in tag key
    ("tag_key_escaped_space", "m,a\\ b=1 v=1 1", ""),
    # escaped equals in tag key
    ("tag_key_escaped_equals", "m,a\\=b=1 v=1 1", ""),
    # escaped comma in tag value
    ("tag_val_escaped_comma", "m,a=x\\,y v=1 1", ""),
    # escaped space in tag value
    ("tag_val_escaped_space", "m,a=x\\ y v=1 1", ""),
    # escaped equals in tag value
    ("tag_val_escaped_equals", "m,a=x\\=y v=1 1", ""),
    # unescaped equals in tag value
    ("tag_val_unescaped_equals", "m,a=x=y v=1 1", ""),
    # tag value ending in a backslash escapes the separator space
    ("tag_val_trailing_backslash", "m,a=x\\ v=1 1", ""),
    # tag value ending in an escaped backslash
    ("tag_val_escaped_backslash_at_end", "m,a=x\\\\ v=1 1", ""),
    # escaped backslash followed by comma in a tag value: k=a\\,b=c
    ("tag_val_escaped_backslash_then_comma", "m,k=a\\\\,b=c v=1 1", ""),
    # escaped backslash in the middle of a tag value
    ("tag_val_escaped_backslash_middle", "m,a=x\\\\y v=1 1", ""),
    # escaped backslash in the middle of a tag key
    ("tag_key_escaped_backslash_middle", "m,a\\\\b=1 v=1 1", ""),
    # non-special escape in tag value
    ("tag_val_nonspecial_escape", "m,a=x\\y v=1 1", ""),
    # non-special escape in tag key
    ("tag_key_nonspecial_escape", "m,a\\y=1 v=1 1", ""),
    # escaped double quote in tag value
    ("tag_val_escaped_quote", 'm,a=x\\"y v=1 1', ""),
    # empty tag value
    ("tag_empty_value", "m,t= v=1 1", ""),
    # empty tag value followed by a good tag
    ("tag_empty_value_then_tag", "m,t=,u=1 v=1 1", ""),
    # empty tag key
    ("tag_empty_key", "m,=v v=1 1", ""),
    # empty tag key and value
    ("tag_empty_key_and_value", "m,= v=1 1", ""),
    # tag without equals
    ("tag_missing_equals", "m,t v=1 1", ""),
    # trailing comma after measurement
    ("tag_trailing_comma", "notag, v=1 1", ""),
    # double comma between tags
    ("tag_double_comma", "m,a=1,,b=2 v=1 1", ""),
    # tag value containing double quotes
    ("tag_val_double_quotes", 'm,a="x" v=1 1', ""),
    # quoted tag value with a space: quotes do not protect in tags
    ("tag_val_quoted_space", 'm,a="x y" v=1 1', ""),
    # tag key named time
    ("tag_key_time", "m,time=1 v=1 1", ""),
    # unicode tag value
    ("tag_val_unicode", "m,ort=Zürich v=1 1", ""),
    # unicode tag key
    ("tag_key_unicode", "m,温度=x v=1 1", ""),
    # 31 tags, given in reverse order
    ("tags_many_31", "m," + ",".join("t%02d=v%d" % (i, i) for i in range(30, -1, -1)) + " v=1 1", ""),
    # tag key equal to a field key
    ("tag_key_same_as_field", "m,v=a v=1 1", ""),
    # hash at start of a tag value
    ("tag_val_hash", "m,a=#x v=1 1", ""),
    # real tab inside a tag value
    ("tag_val_tab", "m,a=x\ty v=1 1", ""),
    # tag separated by a space instead of comma
    ("tag_after_space", "m ,a=1 v=1 1", ""),
    # two points differing only in tag order are one series
    ("tags_order_same_series", "m,a=1,b=2 v=1 1\nm,b=2,a=1 w=2 1", ""),
    # tag value that is only an escaped space
    ("tag_val_only_escaped_space", "m,a=\\  v=1 1", ""),
    # tag key that is only an escaped comma
    ("tag_key_only_escaped_comma", "m,\\,=1 v=1 1", ""),
    # tags but the tag part ends the line
    ("tag_then_end_of_line", "m,a=1", ""),
    # --------------------------------------------------------------- fields
    # measurement only
    ("fields_missing_meas_only", "cpu", ""),
    # measurement and tags only
    ("fields_missing_with_tags", "cpu,host=a", ""),
    # measurement with trailing space
    ("fields_missing_trailing_space", "cpu ", ""),
    # a number where the field set should be
    ("fields_missing_number", "cpu 123", ""),
    # field key named time
    ("field_key_time", "m time=1 1", ""),
    # field key named time alongside a normal field
    ("field_key_time_with_other", "m time=1,v=2 1", ""),
    # field key named time next to a tag
    ("field_key_time_with_tag", "m,a=1 time=1 1", ""),
    # empty field key
    ("field_empty_key", "m =1 1", ""),
    # escaped space in field key
    ("field_key_escaped_space", "m a\\ b=1 1", ""),
    # escaped comma in field key
    ("field_key_escaped_comma", "m a\\,b=1 1", ""),
    # escaped equals in field key
    ("field_key_escaped_equals", "m a\\=b=1 1", ""),
    # escaped double quote in field key
    ("field_key_escaped_quote", 'm a\\"b=1 1', ""),
    # escaped backslash in field key
    ("field_key_escaped_backslash", "m a\\\\b=1 1", ""),
    # non-special escape in field key
    ("field_key_nonspecial_escape", "m a\\xb=1 1", ""),
    # repeated field key in one line
    ("field_repeated_key", "m v=1,v=2 1", ""),
    # repeated field key with different types
    ("field_repeated_key_type_change", 'm v=1,v="a" 1', ""),
    # trailing comma after fields
    ("field_trailing_comma", "m v=1, 1", ""),
    # double comma between fields
    ("field_double_comma", "m v=1,,w=2 1", ""),
    # spaces after the field comma
    ("field_comma_then_spaces", "m v=1,  w=2 1", ""),
    # double equals
    ("field_double_equals", "m v==1 1", ""),
    # fields separated by a space
    ("field_space_separated", "m v=1 w=2 1", ""),
    # missing field value before timestamp
    ("field_missing_value", "m v= 1", ""),
    # missing field value at end of line
    ("field_missing_value_eol", "m v=", ""),
    # unicode field key
    ("field_key_unicode", "m température=1 1", ""),
    # field key without equals
    ("field_key_no_equals", "m v 1", ""),
    # field set starting with a comma
    ("field_leading_comma", "m ,v=1 1", ""),
    # field key starting with hash
    ("field_key_hash", "m #v=1 1", ""),
    # 100 fields in one line
    ("fields_many_100", "m " + ",".join("f%03d=%di" % (i, i) for i in range(100)) + " 1", ""),
    # all four field types in one line
    ("fields_all_types", 'm f=1.5,i=2i,b=true,s="x" 1', ""),
    # field key with a tab
    ("field_key_tab", "m a\tb=1 1", ""),
    # space inside an unquoted field value
    ("field_value_space_unquoted", "m v=1 2 3", ""),
    # missing value followed by another field
    ("field_missing_value_then_field", "m v=,w=1 1", ""),
    # field key equal to the measurement name
    ("field_key_equals_measurement", "m m=1 1", ""),
    # only a comma as the field set
    ("field_only_comma", "m , 1", ""),
    # ----------------------------------------------------------- timestamps
    # missing timestamp: server time
    ("ts_missing", "m v=1", ""),
    # zero timestamp
    ("ts_zero", "m v=1 0", ""),
    # negative timestamp
    ("ts_negative", "m v=1 -1", ""),
    # negative zero timestamp
    ("ts_negative_zero", "m v=1 -0", ""),
    # leading zeros in timestamp
    ("ts_leading_zeros", "m v=1 000123", ""),
    # trailing spaces after timestamp
    ("ts_trailing_spaces", "m v=1 123   ", ""),
    # trailing word after timestamp
    ("ts_trailing_word", "m v=1 123 abc", ""),
    # letters glued to timestamp
    ("ts_trailing_letters", "m v=1 123abc", ""),
    # timestamp split by a space
    ("ts_split_by_space", "m v=1 12 3", ""),
    # float timestamp
    ("ts_float", "m v=1 1.5", ""),
    # exponent timestamp
    ("ts_exponent", "m v=1 1e9", ""),
    # int64 max + 1
    ("ts_overflow_int64", "m v=1 9223372036854775808", ""),
    # int64 min - 1
    ("ts_underflow_int64", "m v=1 -9223372036854775809", ""),
    # int64 max
    ("ts_int64_max", "m v=1 " + I64_MAX, ""),
    # int64 min
    ("ts_int64_min", "m v=1 " + I64_MIN, ""),
    # int64 max - 1
    ("ts_int64_max_minus_1", "m v=1 9223372036854775806", ""),
    # int64 min + 2
    ("ts_int64_min_plus_2", "m v=1 -9223372036854775806", ""),
    # int64 min + 1
    ("ts_int64_min_plus_1", "m v=1 -9223372036854775807", ""),
    # plus sign on timestamp
    ("ts_plus_sign", "m v=1 +123", ""),
    # i suffix on timestamp
    ("ts_i_suffix", "m v=1 123i", ""),
    # a lone minus as timestamp
    ("ts_lone_minus", "m v=1 -", ""),
    # hex timestamp
    ("ts_hex", "m v=1 0x10", ""),
    # 30-digit timestamp
    ("ts_many_digits", "m v=1 123456789012345678901234567890", ""),
    # realistic nanosecond timestamp
    ("ts_realistic_ns", "m v=1 1500000000123456789", ""),
    # double minus timestamp
    ("ts_double_minus", "m v=1 --1", ""),
    # timestamp with underscore
    ("ts_underscore", "m v=1 1_000", ""),
    # ------------------------------------------------------------ precision
    # precision n with timestamp
    ("prec_n_ts", "m v=1 123", "n"),
    # precision ns with timestamp
    ("prec_ns_ts", "m v=1 123", "ns"),
    # precision u with timestamp
    ("prec_u_ts", "m v=1 123", "u"),
    # precision us with timestamp (not in the documented list)
    ("prec_us_ts", "m v=1 123", "us"),
    # precision ms with timestamp
    ("prec_ms_ts", "m v=1 123", "ms"),
    # precision s with timestamp
    ("prec_s_ts", "m v=1 123", "s"),
    # precision m with timestamp
    ("prec_m_ts", "m v=1 123", "m"),
    # precision h with timestamp
    ("prec_h_ts", "m v=1 123", "h"),
    # invalid precision x with timestamp
    ("prec_x_ts", "m v=1 123", "x"),
    # upper-case precision S
    ("prec_upper_S_ts", "m v=1 123", "S"),
    # rfc3339 is a query-only epoch format
    ("prec_rfc3339_ts", "m v=1 123", "rfc3339"),
    # precision n without timestamp
    ("prec_n_now", "m v=1", "n"),
    # precision ns without timestamp
    ("prec_ns_now", "m v=1", "ns"),
    # precision u without timestamp (is now truncated to us?)
    ("prec_u_now", "m v=1", "u"),
    # precision us without timestamp
    ("prec_us_now", "m v=1", "us"),
    # precision ms without timestamp
    ("prec_ms_now", "m v=1", "ms"),
    # precision s without timestamp
    ("prec_s_now", "m v=1", "s"),
    # precision m without timestamp
    ("prec_m_now", "m v=1", "m"),
    # precision h without timestamp
    ("prec_h_now", "m v=1", "h"),
    # invalid precision x without timestamp
    ("prec_x_now", "m v=1", "x"),
    # negative timestamp with precision s
    ("prec_s_negative", "m v=1 -5", "s"),
    # precision s with a realistic value
    ("prec_s_realistic", "m v=1 1500000000", "s"),
    # int64 max with precision h overflows
    ("prec_h_int64_max", "m v=1 " + I64_MAX, "h"),
    # largest hour count that fits int64 ns
    ("prec_h_2562047", "m v=1 2562047", "h"),
    # one hour more overflows
    ("prec_h_2562048", "m v=1 2562048", "h"),
    # negative hour boundary that fits
    ("prec_h_negative_2562047", "m v=1 -2562047", "h"),
    # negative hour boundary that overflows
    ("prec_h_negative_2562048", "m v=1 -2562048", "h"),
    # largest minute count that fits
    ("prec_m_153722867", "m v=1 153722867", "m"),
    # one minute more overflows
    ("prec_m_153722868", "m v=1 153722868", "m"),
    # largest second count that fits
    ("prec_s_9223372036", "m v=1 9223372036", "s"),
    # one second more overflows
    ("prec_s_9223372037", "m v=1 9223372037", "s"),
    # negative second boundary that fits
    ("prec_s_negative_9223372036", "m v=1 -9223372036", "s"),
    # negative second boundary that overflows
    ("prec_s_negative_9223372037", "m v=1 -9223372037", "s"),
    # largest millisecond count that fits
    ("prec_ms_9223372036854", "m v=1 9223372036854", "ms"),
    # one millisecond more overflows
    ("prec_ms_9223372036855", "m v=1 9223372036855", "ms"),
    # largest microsecond count that fits
    ("prec_u_9223372036854775", "m v=1 9223372036854775", "u"),
    # one microsecond more overflows
    ("prec_u_9223372036854776", "m v=1 9223372036854776", "u"),
    # int64 max with precision n
    ("prec_n_int64_max", "m v=1 " + I64_MAX, "n"),
    # int64 max with precision us (is us treated as ns?)
    ("prec_us_large", "m v=1 9223372036854776", "us"),
    # a mix of lines with and without timestamps, precision s
    ("prec_s_mixed_lines", "m v=1 10\nm w=2", "s"),
    # ---------------------------------------------- whitespace / structure
    # leading spaces on the line
    ("ws_leading_spaces", "   m v=1 1", ""),
    # leading tabs on the line
    ("ws_leading_tabs", "\t\tm v=1 1", ""),
    # blank lines between points
    ("ws_blank_lines", "m v=1 1\n\n\nm v=2 2", ""),
    # lines holding only spaces and tabs
    ("ws_whitespace_only_lines", "m v=1 1\n   \n\t\nm v=2 2", ""),
    # comment line
    ("comment_line", "# hello\nm v=1 1", ""),
    # comment with leading whitespace
    ("comment_leading_whitespace", "   # hello\nm v=1 1", ""),
    # comment with leading tab
    ("comment_leading_tab", "\t# hello\nm v=1 1", ""),
    # comment after a point on the same line
    ("comment_after_point", "m v=1 1 # comment", ""),
    # comment right after the fields
    ("comment_after_fields", "m v=1 #c", ""),
    # comment glued to the timestamp
    ("comment_glued_to_ts", "m v=1 1#c", ""),
    # body that is only a comment
    ("comment_only", "# just a comment", ""),
    # CRLF line ending with timestamp
    ("crlf_with_ts", "m v=1 123\r\n", ""),
    # CRLF line ending without timestamp
    ("crlf_without_ts", "m v=1\r\n", ""),
    # CRLF after an integer field
    ("crlf_after_int", "m v=1i\r\n", ""),
    # CRLF after a string field
    ("crlf_after_string", 'm s="a"\r\n', ""),
    # CRLF after a boolean field
    ("crlf_after_bool", "m v=true\r\n", ""),
    # several CRLF lines
    ("crlf_multiple_lines", "m v=1 1\r\nm v=2 2\r\n", ""),
    # lone CR separating two points
    ("lone_cr_separator", "m v=1 1\rm v=2 2", ""),
    # CR at end of body without LF
    ("cr_at_end", "m v=1 1\r", ""),
    # CR after measurement-only line
    ("crlf_after_meas_only", "m\r\n", ""),
    # two spaces between measurement and fields
    ("ws_two_spaces_meas_fields", "m  v=1 1", ""),
    # two spaces between fields and timestamp
    ("ws_two_spaces_fields_ts", "m v=1  1", ""),
    # tab between measurement and fields
    ("ws_tab_meas_fields", "m\tv=1 1", ""),
    # tab between fields and timestamp
    ("ws_tab_fields_ts", "m v=1\t1", ""),
    # trailing space after timestamp
    ("ws_trailing_space_after_ts", "m v=1 1 ", ""),
    # trailing tab after timestamp
    ("ws_trailing_tab_after_ts", "m v=1 1\t", ""),
    # trailing space without timestamp
    ("ws_trailing_space_no_ts", "m v=1 ", ""),
    # two spaces between tags and fields
    ("ws_two_spaces_tags_fields", "m,a=1  v=1 1", ""),
    # no final newline
    ("body_no_final_newline", "m v=1 1", ""),
    # final newline
    ("body_final_newline", "m v=1 1\n", ""),
    # empty body
    ("body_empty", "", ""),
    # only newlines
    ("body_only_newlines", "\n\n\n", ""),
    # only spaces
    ("body_only_spaces", "   ", ""),
    # leading NUL byte is skipped like whitespace
    ("ws_leading_nul", "\x00m v=1 1", ""),
    # NUL as the separator before the timestamp
    ("ws_nul_before_ts", "m v=1\x001", ""),
    # form feed before the line
    ("ws_leading_form_feed", "\fm v=1 1", ""),
    # vertical tab separator
    ("ws_vertical_tab_separator", "m\vv=1 1", ""),
    # backslash before the newline escapes it (scanLine skips escaped chars)
    ("escaped_newline_joins_lines", "m v=1 1\\\nm v=2 2", ""),
    # backslash-newline inside a measurement name
    ("escaped_newline_in_measurement", "m\\\nx v=1 1", ""),
    # backslash-newline inside a tag value
    ("escaped_newline_in_tag_value", "m,a=x\\\ny v=1 1", ""),
    # --------------------------------------------------------------- batches
    # good, bad, good: partial write error text
    ("batch_good_bad_good", "a v=1 1\nb v= 2\nc v=1 3", ""),
    # two bad lines: how errors are joined
    ("batch_two_bad", "a v= 1\nb v= 2", ""),
    # bad line then good line
    ("batch_bad_then_good", "a v= 1\nb v=1 2", ""),
    # five bad lines with different errors
    ("batch_five_bad_mixed", "a v= 1\nb\nc,x v=1 1\nd v=1 x\ne v=1i2 1", ""),
    # same series and timestamp, different fields: merged
    ("batch_merge_fields", "m a=1 1\nm b=2 1", ""),
    # same series, timestamp and field: last wins
    ("batch_same_field_last_wins", "m a=1 1\nm a=2 1", ""),
    # field type conflict within one batch
    ("batch_type_conflict", "tc v=1 1\ntc v=1i 2", ""),
    # type conflict followed by a good line
    ("batch_type_conflict_then_good", "tc v=1 1\ntc v=1i 2\nok v=1 3", ""),
    # type conflict and a parse error in one batch
    ("batch_type_conflict_and_parse_error", "tc v=1 1\ntc v=1i 2\nbad v= 3", ""),
    # type conflict within one line via a repeated key
    ("batch_type_conflict_same_line", "tc v=1,v=1i 1", ""),
    # same field, different types in different measurements: allowed
    ("batch_type_per_measurement", "a v=1 1\nb v=1i 1", ""),
    # type conflict between string and boolean
    ("batch_type_conflict_string_bool", 'tc v="x" 1\ntc v=true 2', ""),
    # two points without timestamps in one batch share the same now
    ("batch_two_now_points_merge", "m a=1\nm b=2", ""),
    # timestamp out of range in the middle of a batch
    ("batch_ts_out_of_range", "m v=1 1\nm v=2 " + I64_MAX + "\nm v=3 3", ""),
    # two type conflicts in one batch: which message is reported
    ("batch_two_type_conflicts", "tc v=1 1\ntc v=1i 2\ntc w=1i 3\ntc w=1 4", ""),
    # type conflict and out-of-range timestamp together
    ("batch_conflict_and_out_of_range", "tc v=1 1\ntc v=1i 2\ntc v=3 " + I64_MAX, ""),
    # same field in two series of one measurement with different types
    ("batch_type_conflict_across_series", "tc,a=1 v=1 1\ntc,a=2 v=1i 1", ""),
    # type conflict across distant timestamps (different shards)
    ("batch_type_conflict_across_shards", "tc v=1 1\ntc v=1i 1000000000000000000", ""),
    # duplicate tag error among good lines
    ("batch_duplicate_tags_among_good", "a v=1 1\nb,t=1,t=2 v=1 1\nc v=1 1", ""),
    # ---------------------------------------------------------------- quirks
    # escaped backslash then comma in a tag key
    ("quirk_tag_key_escaped_backslash_then_equals", "m,a\\\\=b v=1 1", ""),
    # escaped backslash then space in field value position
    ("quirk_field_key_escaped_backslash_then_equals", "m a\\\\=1 1", ""),
    # escaped backslash then comma in measurement, no tag after
    ("quirk_meas_escaped_backslash_comma_no_tag", "cpu\\\\, v=1 1", ""),
    # four backslashes then comma in tag value
    ("quirk_tag_val_four_backslashes_comma", "m,k=a\\\\\\\\,b=c v=1 1", ""),
    # escaped backslash then space in tag value before fields
    ("quirk_tag_val_escaped_backslash_space", "m,k=a\\\\ v=1 1", ""),
    # backslash as the second-to-last byte of the body
    ("quirk_backslash_second_to_last", "m v=1 1\\x", ""),
    # backslash as the last byte of the body
    ("quirk_backslash_last_byte", "m v=1 1\\", ""),
    # quoted value in the measurement-key section with a newline
    ("quirk_quote_in_tag_with_newline", 'm,a="x\ny" v=1 1', ""),
    # escaped comma in a string field value is kept verbatim
    ("quirk_string_escaped_comma", 'm s="a\\,b" 1', ""),
    # escaped space in an unquoted numeric field value
    ("quirk_number_escaped_space", "m v=1\\ 2 1", ""),
    # field key containing an escaped newline
    ("quirk_field_key_escaped_newline", "m a\\\nb=1 1", ""),
    # boolean followed by garbage
    ("quirk_bool_then_garbage", "m v=true1 1", ""),
    # string value followed immediately by timestamp without space
    ("quirk_string_then_ts_no_space", 'm s="a"1', ""),
    # string value followed by a comma and nothing
    ("quirk_string_trailing_comma", 'm s="a", 1', ""),
    # integer followed by a quote
    ("quirk_int_then_quote", 'm v=1i" 1', ""),
    # a line that is only a field set
    ("quirk_only_fieldset", "v=1", ""),
    # a line that is only an equals sign
    ("quirk_only_equals", "=", ""),
    # a line that is only a comma
    ("quirk_only_comma", ",", ""),
    # a line that is only a backslash
    ("quirk_only_backslash", "\\", ""),
    # measurement with escaped comma but tags look like fields
    ("quirk_escaped_comma_then_space_fields", "a\\,b c=1 1", ""),
    # escaped equals then space in measurement
    ("quirk_meas_escaped_equals_space", "a\\= c=1 1", ""),
    # timestamp of string field with newline then next line
    ("quirk_multiline_string_then_next_line", 'm s="a\nb" 1\nm v=2 2', ""),
]

UNITS = {"": 1, "n": 1, "ns": 1, "u": 1000, "us": 1000, "ms": 10**6,
         "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


class RawInt(int):
    """int that remembers its JSON text, so that '-0' can become -0.0."""

    def __new__(cls, text):
        obj = int.__new__(cls, int(text))
        obj.raw = text
        return obj


def http(method, url, data=None):
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def query(base, q, db=None):
    params = {"q": q, "epoch": "ns"}
    if db is not None:
        params["db"] = db
    method = "GET" if q.upper().startswith(("SHOW", "SELECT")) else "POST"
    url = base + "/query?" + urllib.parse.urlencode(params)
    status, raw = http(method, url)
    if status != 200:
        raise RuntimeError("query %r failed: %s %r" % (q, status, raw[:500]))
    res = json.loads(raw.decode("utf-8"), parse_int=RawInt)["results"][0]
    if "error" in res:
        raise RuntimeError("query %r failed: %s" % (q, res["error"]))
    return res.get("series", [])


def field_value(ftype, v):
    if ftype == "float":
        return float(v.raw) if isinstance(v, RawInt) else float(v)
    if ftype == "integer":
        return int(v)
    return v


def ident(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def infer_type(types, v, probe):
    """Type of one stored value.  A field can have several types when the
    points sit in different shards; JSON prints float 1.0 as 1, so for a
    number with both float and integer candidates, probe() asks the server."""
    if len(types) == 1:
        return types[0]
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, str):
        return "string"
    if isinstance(v, float) and not isinstance(v, RawInt):
        return "float"
    if "integer" in types and "float" in types:
        return probe()
    return "integer" if "integer" in types or not types else "float"


def probe_numeric_type(base, db, meas, field, t):
    """Bitwise & only type-checks for integers; with WHERE time = t only the
    shard holding t is mapped, so its field type decides."""
    q = "SELECT %s & 0 FROM %s WHERE time = %d" % (ident(field), ident(meas), t)
    params = {"q": q, "epoch": "ns", "db": db}
    status, raw = http("GET", base + "/query?" + urllib.parse.urlencode(params))
    res = json.loads(raw.decode("utf-8"))["results"][0]
    return "float" if "incompatible types: float" in res.get("error", "") else "integer"


def run_case(base, index, name, body, precision):
    db = "lp_%d" % index
    query(base, 'DROP DATABASE "%s"' % db)
    query(base, 'CREATE DATABASE "%s"' % db)
    url = base + "/write?" + urllib.parse.urlencode(
        [("db", db)] + ([("precision", precision)] if precision else []))
    data = body.encode("utf-8")
    before_ns = time.time_ns()
    status, raw = http("POST", url, data)
    after_ns = time.time_ns()
    error = None
    if status != 204:
        text = raw.decode("utf-8", "replace")
        try:
            error = json.loads(text).get("error", text)
        except ValueError:
            error = text
    series = sorted(str(row[0]) for s in query(base, "SHOW SERIES", db)
                    for row in s.get("values", []))
    ftypes = {}
    for s in query(base, "SHOW FIELD KEYS", db):
        m = ftypes.setdefault(s["name"], {})
        for fname, ftype in s.get("values", []):
            m.setdefault(fname, []).append(ftype)
    unit = UNITS.get(precision, 1)
    window_lo = before_ns - before_ns % unit
    points = []
    for s in query(base, "SELECT *::field FROM /.*/ GROUP BY *", db):
        meas = s["name"]
        tags = {k: v for k, v in (s.get("tags") or {}).items() if v != ""}
        cols = s["columns"]
        for row in s.get("values", []):
            t = int(row[0])
            fields = {}
            for col, v in zip(cols[1:], row[1:]):
                if v is None:
                    continue
                ftype = infer_type(ftypes.get(meas, {}).get(col, []), v,
                                   lambda: probe_numeric_type(base, db, meas, col, t))
                fields[col] = {"type": ftype, "value": field_value(ftype, v)}
            is_now = window_lo <= t <= after_ns
            if is_now:
                print("  %s: server time %d, divisible by precision unit %d: %s"
                      % (name, t, unit, t % unit == 0), file=sys.stderr)
            points.append({"measurement": meas, "tags": tags,
                           "time": "now" if is_now else t, "fields": fields})
    points.sort(key=lambda p: (p["measurement"], sorted(p["tags"].items()),
                               (1, 0) if p["time"] == "now" else (0, p["time"])))
    query(base, 'DROP DATABASE "%s"' % db)
    return {"name": name, "body": body, "precision": precision, "status": status,
            "error": error, "series": series, "points": points}


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18086").rstrip("/")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "influxdb-1.6.7.jsonl")
    names = [c[0] for c in CASES]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        sys.exit("duplicate case names: %s" % dupes)
    records = []
    for i, (name, body, precision) in enumerate(CASES):
        rec = run_case(base, i, name, body, precision)
        records.append(rec)
        err = rec["error"] if rec["error"] is None or len(rec["error"]) < 200 else rec["error"][:200] + "..."
        print("%3d %-45s %d %s" % (i, name, rec["status"], err), file=sys.stderr)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=True, allow_nan=False) + "\n")
    print("wrote %d records to %s" % (len(records), out), file=sys.stderr)


if __name__ == "__main__":
    main()
