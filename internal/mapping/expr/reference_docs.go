package expr

// functionDocs documents each function: what it returns, a summary in our
// own words and the examples of Microsoft's references (app provisioning
// and cloud sync), each of which is a test.
var functionDocs = map[string]FunctionDoc{
	"Append": {Returns: "string", Summary: "The source followed by the suffix. A null side counts as empty; both null gives null. A multi-valued source gets the suffix on each value.",
		Examples: []Example{
			{Expr: `Append([userPrincipalName], ".test")`, Attrs: Map{"userPrincipalName": {"John.Doe@contoso.com"}}, Want: "John.Doe@contoso.com.test"},
			{Expr: `Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))`, Attrs: Map{"givenName": {"John"}, "surname": {"Doe"}}, Want: "JohDoe"},
		}},
	"BitAnd": {Returns: "number", Summary: "The bitwise AND of two integers. Hexadecimal literals such as `&HF7` are accepted.",
		Examples: []Example{{Expr: `BitAnd(&HF, &HF7)`, Want: "7"}}},
	"CBool": {Returns: "boolean", Summary: "True for a true boolean or a non-zero number, False for false, zero and null; other text is an error.",
		Examples: []Example{
			{Expr: `CBool([attribute1] = [attribute2])`, Attrs: Map{"attribute1": {"x"}, "attribute2": {"x"}}, Want: "True"},
			{Expr: `CBool([attrib1] = [attrib2])`, Attrs: Map{"attrib1": {"x"}, "attrib2": {"y"}}, Want: "False"},
		}},
	"CDate": {Returns: "date text", Summary: "The date converted to UTC, printed as `M/d/yyyy h:mm:ss tt`, the form every date function accepts and returns. ISO 8601 dates with or without a time and offset are read; a date alone is midnight at its offset.",
		Examples: []Example{
			{Expr: `CDate([StatusHireDate])`, Attrs: Map{"StatusHireDate": {"2020-03-16-07:00"}}, Want: "3/16/2020 7:00:00 AM"},
			{Expr: `CDate("2021-06-30+08:00")`, Want: "6/29/2021 4:00:00 PM"},
			{Expr: `CDate("2009-06-15T01:45:30-07:00")`, Want: "6/15/2009 8:45:30 AM"},
		}},
	"Coalesce": {Returns: "any", Summary: "The first argument that is not null; null when all are. Later arguments are not evaluated.",
		Examples: []Example{{Expr: `Coalesce([mail],[userPrincipalName])`, Attrs: Map{"userPrincipalName": {"John.Doe@contoso.com"}}, Want: "John.Doe@contoso.com"}}},
	"Contains": {Returns: "number", Summary: "The 1-based index of the first value of a (multi-valued) attribute that contains search, or 0. caseType is CaseSensitive (default) or CaseInsensitive.",
		Examples: []Example{
			{Expr: `Mid(Item([proxyAddresses],Contains([proxyAddresses], "SMTP:")),6)`, Attrs: Map{"proxyAddresses": {"smtp:jd@old.example", "SMTP:john@contoso.com"}}, Want: "john@contoso.com"},
			{Expr: `IIF(Contains([proxyAddresses],"SMTP:")>0,[proxyAddresses],Error("No primary SMTP address found."))`, Attrs: Map{"proxyAddresses": {"smtp:jd@old.example"}}, Err: "No primary SMTP address found."},
			{Expr: `Contains([proxyAddresses], "smtp:john", CaseInsensitive)`, Attrs: Map{"proxyAddresses": {"x500:a", "SMTP:john@contoso.com"}}, Want: "2"},
		}},
	"ConvertFromBase64": {Returns: "string", Summary: "Decodes base64 and reads the bytes as Unicode (UTF-16 little-endian, the default), UTF8 or ASCII.",
		Examples: []Example{
			{Expr: `ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")`, Want: "Hello world!"},
			{Expr: `ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)`, Want: "Hello world!"},
		}},
	"ConvertToBase64": {Returns: "string", Summary: "The base64 of the text's UTF-16 little-endian bytes (what .NET calls Unicode).",
		Examples: []Example{{Expr: `ConvertToBase64("Hello world!")`, Want: "SABlAGwAbABvACAAdwBvAHIAbABkACEA"}}},
	"ConvertToUTF8Hex": {Returns: "string", Summary: "The UTF-8 bytes of the text in upper-case hexadecimal.",
		Examples: []Example{
			{Expr: `ConvertToUTF8Hex("Hello world!")`, Want: "48656C6C6F20776F726C6421"},
			{Expr: `Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))`, Attrs: Map{"objectId": {"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}},
				Want: "100030306161303061612626231312636332322646433332343465653434656534346565"},
		}},
	"Count": {Returns: "number", Summary: "The number of values of an attribute; 0 when it is absent.",
		Examples: []Example{{Expr: `Count([proxyAddresses])`, Attrs: Map{"proxyAddresses": {"SMTP:a@contoso.com", "smtp:b@contoso.com"}}, Want: "2"}}},
	"CRef": {Returns: "string", Summary: "Marks a DN as a reference for DNComponent; the text is unchanged.",
		Examples: []Example{{Expr: `CRef([dn])`, Attrs: Map{"dn": {"cn=Joe,dc=contoso,dc=com"}}, Want: "cn=Joe,dc=contoso,dc=com"}}},
	"CStr": {Returns: "string", Summary: "The value as text: booleans print as True and False; null stays null.",
		Examples: []Example{{Expr: `CStr([dn])`, Attrs: Map{"dn": {"cn=Joe,dc=contoso,dc=com"}}, Want: "cn=Joe,dc=contoso,dc=com"}}},
	"DateAdd": {Returns: "date text", Summary: "dateTime moved by value intervals: yyyy (year), m (month), d (day), ww (week), h (hour), n (minute), s (second). Adding months keeps the day or, past the month's end, takes its last day.",
		Examples: []Example{
			{Expr: `DateAdd("d", 7, CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "3/23/2012 7:00:00 AM"},
			{Expr: `DateAdd("d", -10, CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "3/6/2012 7:00:00 AM"},
			{Expr: `DateAdd("ww", 2, CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "3/30/2012 7:00:00 AM"},
			{Expr: `DateAdd("m", 10, CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "1/16/2013 7:00:00 AM"},
			{Expr: `DateAdd("yyyy", 2, CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "3/16/2014 7:00:00 AM"},
		}},
	"DateDiff": {Returns: "number", Summary: "How many intervals date2 is after date1, negative when it is before. Years, months and weeks (starting on Sunday) count calendar boundaries crossed, as Visual Basic does; days, hours, minutes and seconds count whole elapsed units. Dates are compared in UTC.",
		Examples: []Example{
			{Expr: `DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))`, Want: "13"},
			{Expr: `DateDiff("d", "8/25/2021 5:41:18 PM", CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "-3449"},
			{Expr: `DateDiff("ww", "8/25/2021 5:41:18 PM", CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "-493"},
			{Expr: `DateDiff("m", "8/25/2021 5:41:18 PM", CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "-113"},
			{Expr: `DateDiff("yyyy", "8/25/2021 5:41:18 PM", CDate([StatusHireDate]))`, Attrs: Map{"StatusHireDate": {"2012-03-16-07:00"}}, Want: "-9"},
			{Expr: `DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))`, Want: "0"},
			{Expr: `DateDiff("h", "2021-08-24", "2021-08-25")`, Want: "24"},
			{Expr: `DateDiff("n", "2021-08-24", "2021-08-25")`, Want: "1440"},
			{Expr: `DateDiff("s", "2021-08-24", "2021-08-25")`, Want: "86400"},
			{Expr: "Switch([Active], , \"1\", IIF(DateDiff(\"d\", \"8/25/2021 5:41:18 PM\", CDate([StatusHireDate])) > 5, \"False\", \"True\"), \"0\", \"False\")", Attrs: Map{"Active": {"1"}, "StatusHireDate": {"2021-08-27"}}, Want: "True"},
		}},
	"DateFromNum": {Returns: "date text", Summary: "An Active Directory FILETIME (lastLogonTimestamp, accountExpires) as a UTC date; 0 and 9223372036854775807 (never) give null.",
		Examples: []Example{{Expr: `DateFromNum(129699324000000000)`, Want: "1/1/2012 11:00:00 PM"}}},
	"DNComponent": {Returns: "string", Summary: "The value of the n-th relative name of a DN, counted from the left and unescaped; null when there is none.",
		Examples: []Example{{Expr: `DNComponent(CRef([dn]),1)`, Attrs: Map{"dn": {"cn=Joe,ou=Sales,dc=contoso,dc=com"}}, Want: "Joe"}}},
	"Error": {Returns: "nothing", Summary: "Fails the user with the message. Only a chosen branch is evaluated, so it is used inside IIF or Switch.",
		Examples: []Example{
			{Expr: `IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))`, Err: "AccountName is required"},
			{Expr: `IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))`, Attrs: Map{"accountName": {"jdoe"}}, Want: "jdoe"},
		}},
	"FormatDateTime": {Params: "source, [dateTimeStyles], inputFormat, outputFormat", Returns: "string", Summary: "Reads source with a .NET custom date format and prints it with another. The styles argument may be left empty or left out.",
		Examples: []Example{
			{Expr: `FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`, Attrs: Map{"extensionAttribute1": {"20150123105347.1Z"}}, Want: "2015-01-23"},
			{Expr: `FormatDateTime([extensionAttribute1], "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`, Attrs: Map{"extensionAttribute1": {"20150123105347.1Z"}}, Want: "2015-01-23"},
		}},
	"Guid": {Returns: "string", Summary: "A new random GUID on every evaluation.",
		Examples: []Example{{Expr: `Guid()`, Match: `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`}}},
	"IgnoreFlowIfNullOrEmpty": {Returns: "the value, or no flow", Summary: "The value; when it is null or empty, the mapping leaves its field untouched: it is neither cleared nor given the mapping's default.",
		Examples: []Example{
			{Expr: `IgnoreFlowIfNullOrEmpty([department])`, Ignore: true},
			{Expr: `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`, Attrs: Map{"prefix": {"3444"}}, Want: "Prof."},
			{Expr: `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`, Attrs: Map{"prefix": {"9999"}}, Ignore: true},
		}},
	"IIF": {Returns: "any", Summary: "valueIfTrue when the condition is true, else valueIfFalse; only the chosen branch is evaluated. A null condition counts as false. Conditions use =, <>, <, <=, >, >=.",
		Examples: []Example{
			{Expr: `IIF([country]="USA",[country],[department])`, Attrs: Map{"country": {"USA"}, "department": {"Sales"}}, Want: "USA"},
			{Expr: `IIF([country]="USA",[country],[department])`, Attrs: Map{"country": {"Italy"}, "department": {"Sales"}}, Want: "Sales"},
			{Expr: `IIF([country]="USA",IIF([state]="CA","True","False"),"False")`, Attrs: Map{"country": {"USA"}, "state": {"CA"}}, Want: "True"},
			{Expr: `IIF([country]="USA","True",IIF([state]="CA","True","False"))`, Attrs: Map{"country": {"Italy"}, "state": {"CA"}}, Want: "True"},
			{Expr: `IIF([employeeType]="Intern","t-" & [alias],[alias])`, Attrs: Map{"employeeType": {"Intern"}, "alias": {"jdoe"}}, Want: "t-jdoe"},
		}},
	"InStr": {Returns: "number", Summary: "The 1-based position of value2 in value1 from start (default 1), or 0. compareType vbTextCompare ignores case; vbBinaryCompare (default) does not.",
		Examples: []Example{
			{Expr: `InStr("The quick brown fox","quick")`, Want: "5"},
			{Expr: `InStr("repEated","e",3,vbBinaryCompare)`, Want: "7"},
			{Expr: `InStr("repEated","e",3,vbTextCompare)`, Want: "4"},
		}},
	"IsNull": {Returns: "boolean", Summary: "True when the value is null: an absent attribute.",
		Examples: []Example{{Expr: `IsNull([displayName])`, Want: "True"}}},
	"IsNullOrEmpty": {Returns: "boolean", Summary: "True when the value is null or empty; the opposite of IsPresent.",
		Examples: []Example{{Expr: `IsNullOrEmpty([displayName])`, Attrs: Map{"displayName": {""}}, Want: "True"}}},
	"IsPresent": {Returns: "boolean", Summary: "True when the value is neither null nor empty.",
		Examples: []Example{{Expr: `IsPresent([displayName])`, Attrs: Map{"displayName": {"John"}}, Want: "True"}}},
	"IsString": {Returns: "boolean", Summary: "True when the value is one string (or a boolean, which CStr can print); False for null and for several values.",
		Examples: []Example{{Expr: `IsString([displayName])`, Attrs: Map{"displayName": {"John"}}, Want: "True"}}},
	"Item": {Returns: "string", Summary: "The index-th value (1-based) of a multi-valued attribute; null when there is none.",
		Examples: []Example{{Expr: `Item([proxyAddresses], 1)`, Attrs: Map{"proxyAddresses": {"SMTP:a@contoso.com", "smtp:b@contoso.com"}}, Want: "SMTP:a@contoso.com"}},
		Differs:  "an index out of range gives null, as the app-provisioning reference implies; the cloud-sync reference says it is an error."},
	"Join": {Returns: "string", Summary: "The values joined with the separator; every value of a multi-valued source is joined. Null sources and empty values are skipped, so no separator is doubled.",
		Examples: []Example{{Expr: `Join(", ", "", [surname], [givenName])`, Attrs: Map{"givenName": {"John"}, "surname": {"Doe"}}, Want: "Doe, John"}}},
	"Left": {Returns: "string", Summary: "The first numChars characters: all of them when numChars is negative or too large, \"\" for 0 or a null string.",
		Examples: []Example{{Expr: `Left("John Doe", 3)`, Want: "Joh"}}},
	"Mid": {Returns: "string", Summary: "length characters from the 1-based start; to the end when length is left out or runs past it.",
		Examples: []Example{{Expr: `Mid("John Doe", 6, 3)`, Want: "Doe"}}},
	"NormalizeDiacritics": {Returns: "string", Summary: "The text with accented letters replaced by their plain equivalents (ß becomes ss, æ ae, ø oe).",
		Examples: []Example{{Expr: `NormalizeDiacritics([givenName])`, Attrs: Map{"givenName": {"Zoë"}}, Want: "Zoe"}}},
	"Not": {Returns: "boolean", Summary: "False when the source is true, True otherwise (including null and other text).",
		Examples: []Example{{Expr: `Not("True")`, Want: "False"}}},
	"Now": {Returns: "date text", Summary: "The current UTC time as `M/d/yyyy h:mm:ss tt`.",
		Examples: []Example{{Expr: `Now()`, Match: `^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$`}}},
	"NumFromDate": {Returns: "number", Summary: "An ISO 8601 date as an Active Directory FILETIME, the form accountExpires holds.",
		Examples: []Example{
			{Expr: `NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))`, Attrs: Map{"ContractEndDate": {"2020-12-31-08:00"}}, Want: "132539615990000000"},
			{Expr: `NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))`, Attrs: Map{"endDate": {"12/31/2020 08:00:00 AM"}}, Want: "132539615990000000"},
		}},
	"PCase": {Returns: "string", Summary: "Each word with an upper-case first letter and lower-case others. Without wordSeparators any character that is not a letter, digit or mark separates words; with it, only its characters do.",
		Examples: []Example{
			{Expr: `PCase([firstName])`, Attrs: Map{"firstName": {"PABLO GONSALVES (SECOND)"}}, Want: "Pablo Gonsalves (Second)"},
			{Expr: `PCase([lastName]," '-")`, Attrs: Map{"lastName": {"PINTO-DE'SILVA"}}, Want: "Pinto-De'Silva"},
			{Expr: `PCase(Join(" ",[firstName],[lastName]))`, Attrs: Map{"firstName": {"GREGORY"}, "lastName": {"JAMES"}}, Want: "Gregory James"},
		}},
	"RandomString": {Returns: "string", Summary: "length random characters (at most 256) with at least the given numbers of digits, special characters, capitals and lower-case letters, none of charactersToAvoid, from a cryptographic source.",
		Examples: []Example{
			{Expr: `RandomString(6,3,0,0,3)`, Match: `^[0-9a-z]{6}$`},
			{Expr: `RandomString(10,2,2,2,1,"?,")`, Match: `^[^?,]{10}$`},
		}},
	"Redact": {Returns: "the value", Summary: "The value unchanged. Entra hides it in provisioning logs; usersync's run records show mapped fields as they are stored, so nothing else changes.",
		Examples: []Example{
			{Expr: `Redact([userPrincipalName])`, Attrs: Map{"userPrincipalName": {"john@contoso.com"}}, Want: "john@contoso.com"},
			{Expr: `Redact("StringToBeRedacted")`, Want: "StringToBeRedacted"},
			{Expr: `Redact(RandomString(6,3,0,0,3))`, Match: `^[0-9a-z]{6}$`},
		}},
	"RemoveDuplicates": {Returns: "list", Summary: "The values in order with each exact duplicate removed.",
		Examples: []Example{{Expr: `RemoveDuplicates([proxyAddresses])`, Attrs: Map{"proxyAddresses": {"SMTP:a@contoso.com", "smtp:b@contoso.com", "SMTP:a@contoso.com"}}, Want: "SMTP:a@contoso.com|smtp:b@contoso.com", List: true}}},
	"Replace": {Params: "source, [oldValue], [regexPattern], [regexGroupName], [replacementValue], [replacementAttributeName], [template]", Returns: "string",
		Summary: "Case-sensitive replacement: oldValue by replacementValue; oldValue in template by source; regexPattern matches by replacementValue (with ${group}); the regexGroupName group of each match by replacementValue; or, with replacementAttributeName, the source when it has a value, else the regexGroupName group of the pattern's match in that attribute. The shorthand Replace(source, oldValue, replacementValue) is accepted. Patterns use Go's RE2 syntax: named groups work, lookaround and backreferences do not.",
		Examples: []Example{
			{Expr: `Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )`, Attrs: Map{"BusinessTitle": {"Product Developer"}}, Want: "Software Engineer"},
			{Expr: `Replace([UserID],"<username>", , , , , "<username>@contoso.com")`, Attrs: Map{"UserID": {"jsmith"}}, Want: "jsmith@contoso.com"},
			{Expr: `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )`, Attrs: Map{"telephoneNumber": {"+91 9998887777"}}, Want: "9998887777"},
			{Expr: `Replace([mobile], , "[()\\s-]+", , "", , )`, Attrs: Map{"mobile": {"+1 (999) 888-7777"}}, Want: "+19998887777"},
			{Expr: `Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )`, Attrs: Map{"AddressLineData": {"545 Tremont Street"}}, Want: "888 Tremont Street"},
			{Expr: `Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )`, Attrs: Map{"userPrincipalName": {"jsmith@contoso.com"}}, Want: "jsmith"},
			{Expr: `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`, Attrs: Map{"telephoneNumber": {""}, "mobile": {"+91 8887779999"}}, Want: "8887779999"},
			{Expr: `Replace([mailNickname], , "[a-zA-Z_]*", , "", , )`, Attrs: Map{"mailNickname": {"john_doe72"}}, Want: "72"},
			{Expr: `Replace([mail], "@contoso.com", , ,"", ,)`, Attrs: Map{"mail": {"john.doe@contoso.com"}}, Want: "john.doe"},
		}},
	"SelectUniqueValue": {Returns: "string", Summary: "The first candidate that is not empty and that no other user holds in the application, checked against the store during the run, so two users of one run never get the same value. When every candidate is taken the user fails, naming them. It must be the whole expression.",
		Examples: []Example{
			{Expr: selectUniqueUPN, Attrs: Map{"PreferredFirstName": {"John"}, "PreferredLastName": {"Smith"}}, Want: "John.Smith@contoso.com"},
			{Expr: selectUniqueUPN, Attrs: Map{"PreferredFirstName": {"John"}, "PreferredLastName": {"Smith"}}, Taken: []string{"John.Smith@contoso.com"}, Want: "J.Smith@contoso.com"},
			{Expr: selectUniqueUPN, Attrs: Map{"PreferredFirstName": {"John"}, "PreferredLastName": {"Smith"}}, Taken: []string{"John.Smith@contoso.com", "J.Smith@contoso.com"}, Want: "Jo.Smith@contoso.com"},
		}},
	"SingleAppRoleAssignment": {Returns: "string", Summary: "A directory has no app role assignments; applied to an attribute it gives its single value, or the first of several.",
		Examples: []Example{{Expr: `SingleAppRoleAssignment([appRoleAssignments])`, Attrs: Map{"appRoleAssignments": {"Admin"}}, Want: "Admin"}}},
	"Split": {Returns: "list", Summary: "The parts of source between delimiters, untrimmed.",
		Examples: []Example{{Expr: `Split([extensionAttribute5], ",")`, Attrs: Map{"extensionAttribute5": {"PermissionSetOne, PermissionSetTwo"}}, Want: "PermissionSetOne| PermissionSetTwo", List: true}},
		Differs:  "parts keep their spaces, as .NET's Split does; Microsoft's example prints the second part without its leading space."},
	"StringFromSid": {Returns: "string", Summary: "A binary security identifier (objectSid) in its text form S-1-5-…; text already in that form is returned as it is.",
		Examples: []Example{{Expr: `StringFromSid([objectSid])`, Attrs: Map{"objectSid": {"\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\xf4\x01\x00\x00"}}, Want: "S-1-5-21-1-2-3-500"}}},
	"StripSpaces": {Returns: "string", Summary: "The text without its space characters.",
		Examples: []Example{{Expr: `StripSpaces("John  Smith ")`, Want: "JohnSmith"}}},
	"Switch": {Params: "source, [defaultValue], key1, value1, …", Returns: "any", Summary: "The value of the first key equal to the source, compared case-sensitively; defaultValue when none is. A null source matches the key \"\". The arguments must be even in number.",
		Examples: []Example{
			{Expr: `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")`, Attrs: Map{"state": {"QLD"}}, Want: "Australia/Brisbane"},
			{Expr: `Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")`, Attrs: Map{"statusFlag": {"TRUE"}}, Want: "1"},
			{Expr: `Switch([statusFlag], "Default Value", "true", "1", "", "0")`, Want: "0"},
			{Expr: `Switch([country],[country],"","Other")`, Want: "Other"},
			{Expr: `Switch([country],[country],"","Other")`, Attrs: Map{"country": {"Italy"}}, Want: "Italy"},
		},
		Differs: "the five-argument form the Entra portal displays for its default active mapping, `Switch([IsSoftDeleted], \"False\", \"True\", \"True\", \"False\")`, is accepted: the pairs follow the source and the first key is also the default. Every other odd count is refused."},
	"ToLower": {Returns: "string", Summary: "The text in lower case, by the invariant culture, or by Turkish rules (I to ı, İ to i) for a tr or az culture.",
		Examples: []Example{
			{Expr: `ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))`, Attrs: Map{"PreferredFirstName": {"John"}, "PreferredLastName": {"Smith"}}, Want: "john.smith@contoso.com"},
			{Expr: `ToLower("IŞIK", "tr-TR")`, Want: "ışık"},
		}},
	"ToUpper": {Returns: "string", Summary: "The text in upper case, by the invariant culture, or by Turkish rules (i to İ) for a tr or az culture.",
		Examples: []Example{
			{Expr: `ToUpper("istanbul", "tr-TR")`, Want: "İSTANBUL"},
			{Expr: `ToUpper("istanbul")`, Want: "ISTANBUL"},
		}},
	"Trim": {Returns: "string", Summary: "The text without leading and trailing white space; each value of a multi-valued attribute is trimmed.",
		Examples: []Example{
			{Expr: `Trim(" Test ")`, Want: "Test"},
			{Expr: `Trim([proxyAddresses])`, Attrs: Map{"proxyAddresses": {" SMTP:a@contoso.com", "smtp:b@contoso.com "}}, Want: "SMTP:a@contoso.com|smtp:b@contoso.com", List: true},
		}},
	"Word": {Returns: "string", Summary: "The wordNumber-th word, words being separated by any of the delimiter characters; \"\" when there is none.",
		Examples: []Example{
			{Expr: `Word("The quick brown fox",3," ")`, Want: "brown"},
			{Expr: `Word("This,string!has&many separators",3,",!&#")`, Want: "has"},
		}},
}

const selectUniqueUPN = `SelectUniqueValue(
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com"))`

const referenceIntro = `usersync evaluates the attribute-mapping expressions of Microsoft Entra
(the app-provisioning reference and the cloud-sync reference) with
Microsoft's documented results. An expression is a function call, an
attribute in brackets (` + "`[givenName]`" + `), a string in double quotes (a
backslash escapes ` + "`\\\"`" + ` and ` + "`\\\\`" + `), a number, a hexadecimal number
(` + "`&HF7`" + `) or an enumeration name (` + "`vbBinaryCompare`" + `, ` + "`vbTextCompare`" + `,
` + "`Unicode`" + `, ` + "`UTF8`" + `, ` + "`ASCII`" + `, ` + "`CaseSensitive`" + `, ` + "`CaseInsensitive`" + `).
` + "`a & b`" + ` concatenates (a null side counts as empty) and binds tighter than
the comparisons ` + "`=`, `<>`, `<`, `<=`, `>`, `>=`" + `. Function names are
case-insensitive; an unknown name suggests the nearest one, and a wrong
number of arguments names the expected count. Missing attributes are null.

A date argument may be ` + "`M/d/yyyy h:mm:ss tt`" + ` (what CDate, DateAdd, Now and
DateFromNum return), ISO 8601 with or without time and offset, or an LDAP
generalized time; all date arithmetic is in UTC.
`

const referenceNotes = `## Where usersync differs from Entra

None of these changes the result of an expression Entra accepts, except
where said.

- Function names are case-insensitive, and the shorthand
  ` + "`Replace(source, oldValue, replacementValue)`" + ` is accepted.
- Switch with five arguments reads the Entra portal's display of its
  default active mapping (see Switch).
- Characters are Unicode code points, not .NET's UTF-16 units: Left, Mid
  and InStr count an emoji or another character outside the Basic
  Multilingual Plane as one character where Entra counts two. This changes
  results only for such characters.
- Regular expressions are Go's RE2: named groups, classes and repetition
  work as in .NET; lookaround and backreferences are refused when the
  expression is saved.
- Comparisons of two integers compare them as numbers; other values compare
  as case-sensitive text. Null equals only null.
- Redact returns its value: usersync keeps no provisioning log of values.
- SelectUniqueValue works with every connection, not only the HR sources
  Entra limits it to; it must still be the whole expression.

## Where Microsoft's documentation is inconsistent

- Replace with replacementAttributeName: the app-provisioning reference
  (with a worked example) returns the source when it has a value and
  otherwise extracts the group from the replacement attribute; the
  cloud-sync reference describes the opposite. usersync follows the worked
  example.
- The example ` + "`Join(\"\", 1000, Replace(ConvertToUTF8Hex([objectId]), , \"[a-zA-Z_]*\", , \"\", , ))`" + `
  shows an output that does not follow from its input; usersync returns
  1000 followed by the digits of the upper-case UTF-8 hex.
- Replace([mobile], , "[()\\s-]+", , "", , ) on "+1 (999) 888-7777": the
  pattern does not remove "+", so the result is "+19998887777", not the
  "19998887777" the reference shows.
- The IsPresent example ` + "`Switch(IsPresent([directManager]), [directManager], ...)`" + `
  compares booleans with booleans and does not pick the first present
  manager; usersync evaluates it as written.
- IIF: Microsoft says a condition on an empty or null attribute fails and
  recommends Switch with a "" key; usersync treats a null condition as
  false and compares null only equal to null.
`
