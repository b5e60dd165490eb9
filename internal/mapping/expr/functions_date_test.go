package expr

import "testing"

func TestFormatDateTime(t *testing.T) {
	runEval(t, []evalCase{
		{src: `FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`,
			attrs: Map{"extensionAttribute1": {"20150123105347.1Z"}}, want: Str("2015-01-23")},
		{name: "three arguments", src: `FormatDateTime("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "dd/MM/yyyy HH:mm:ss")`, want: Str("23/01/2015 10:53:47")},
		{name: "workday offset", src: `FormatDateTime("2020-12-31-08:00", , "yyyy-MM-ddzzz", "yyyy-MM-dd zzz")`, want: Str("2020-12-31 -08:00")},
		{name: "adjust to universal", src: `FormatDateTime("2020-12-31T20:00:00-08:00", "AdjustToUniversal", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ssK")`, want: Str("2021-01-01T04:00:00Z")},
		{name: "styles list", src: `FormatDateTime("2020-01-02", "AllowLeadingWhite, AllowTrailingWhite", "yyyy-MM-dd", "d")`, want: Str("01/02/2020")},
		{name: "12 hour", src: `FormatDateTime("3/5/2021 01:02:03 PM", , "M/d/yyyy hh:mm:ss tt", "yyyy-MM-ddTHH:mm:ss")`, want: Str("2021-03-05T13:02:03")},
		{name: "12 hour midnight", src: `FormatDateTime("3/5/2021 12:00:00 AM", , "M/d/yyyy h:mm:ss tt", "HH:mm h tt")`, want: Str("00:00 12 AM")},
		{name: "names", src: `FormatDateTime("2021-03-05", , "yyyy-MM-dd", "dddd, d MMMM yy (ddd MMM)")`, want: Str("Friday, 5 March 21 (Fri Mar)")},
		{name: "parse names", src: `FormatDateTime("Fri, 05 Mar 2021", , "ddd, dd MMM yyyy", "yyyyMMdd")`, want: Str("20210305")},
		{name: "fractions", src: `FormatDateTime("10:11:12.1234567", , "HH:mm:ss.fffffff", "ss.fff|ss.FFFFFFF|ss.F")`, want: Str("12.123|12.1234567|12.1")},
		{name: "F drops point", src: `FormatDateTime("10:11:12", , "HH:mm:ss", "ss.FFF")`, want: Str("12")},
		{name: "literals", src: `FormatDateTime("2021-03-05", , "yyyy-MM-dd", "'Year' yyyy \\d\\a\\y d")`, want: Str("Year 2021 day 5")},
		{name: "round trip", src: `FormatDateTime("2021-03-05T01:02:03Z", , "yyyy-MM-ddTHH:mm:ssK", "o")`, want: Str("2021-03-05T01:02:03.0000000Z")},
		{name: "sortable", src: `FormatDateTime("20210305", , "yyyyMMdd", "s")`, want: Str("2021-03-05T00:00:00")},
		{name: "from DateFromNum", src: `FormatDateTime(DateFromNum(129699324000000000), , "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd HH:mm")`, want: Str("2012-01-01 23:00")},
		{name: "null source", src: `FormatDateTime([d], , "yyyy", "yyyy")`, want: Null()},
		{name: "leading white", src: `FormatDateTime("  2021 ", , "yyyy", "yyyy")`, want: Str("2021")},
		{name: "mismatch", src: `FormatDateTime("2021/03/05", , "yyyy-MM-dd", "yyyy")`, wantErr: `FormatDateTime at position 1: source "2021/03/05" does not match the date format at character 5`},
		{name: "trailing text", src: `FormatDateTime("2021-03-05x", , "yyyy-MM-dd", "yyyy")`, wantErr: `unexpected text "x"`},
		{name: "invalid date", src: `FormatDateTime("2021-02-30", , "yyyy-MM-dd", "yyyy")`, wantErr: `"2021-02-30" is not a valid date`},
		{name: "invalid hour", src: `FormatDateTime("13:00 PM", , "hh:mm tt", "HH")`, wantErr: "expected 1 to 12"},
		{name: "dynamic bad format", src: `FormatDateTime("2021", , [f], "yyyy")`, attrs: Map{"f": {"q"}}, wantErr: `inputFormat: unknown standard date format "q"`},
		{name: "dynamic bad styles", src: `FormatDateTime("2021", [s], "yyyy", "yyyy")`, attrs: Map{"s": {"Nope"}}, wantErr: `unknown dateTimeStyles value "Nope"`},
		{name: "empty input", src: `FormatDateTime("", , "yyyy", "yyyy")`, wantErr: "does not match"},
	})
}

func TestDateFromNum(t *testing.T) {
	runEval(t, []evalCase{
		{src: `DateFromNum(129699324000000000)`, want: Str("1/1/2012 11:00:00 PM")},
		{src: `DateFromNum([lastLogonTimestamp])`, attrs: Map{"lastLogonTimestamp": {"133500000000000000"}}, want: Str("1/17/2024 9:20:00 PM")},
		{name: "epoch plus one second", src: `DateFromNum(10000000)`, want: Str("1/1/1601 12:00:01 AM")},
		{name: "never zero", src: `DateFromNum(0)`, want: Null()},
		{name: "never max", src: `DateFromNum(9223372036854775807)`, want: Null()},
		{name: "near max", src: `DateFromNum(9223372036854775806)`, wantErr: "after the year 9999"},
		{name: "null", src: `DateFromNum([x])`, want: Null()},
		{name: "negative", src: `DateFromNum(-1)`, wantErr: "DateFromNum at position 1: value -1 is negative"},
		{name: "not a number", src: `DateFromNum("yesterday")`, wantErr: `value "yesterday" is not a FILETIME number`},
	})
}
