package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// tokenKind identifies the lexical class of a token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokAttr
	tokString
	tokNumber
	tokIdent
	tokLParen
	tokRParen
	tokComma
	tokCompare
	tokConcat
)

// describe returns how a token kind is named in "expected ..." messages.
func (k tokenKind) describe() string {
	switch k {
	case tokEOF:
		return "end of input"
	case tokAttr:
		return "attribute"
	case tokString:
		return "string"
	case tokNumber:
		return "number"
	case tokIdent:
		return "function name"
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokComma:
		return `","`
	case tokCompare:
		return "comparison operator"
	case tokConcat:
		return `"&"`
	}
	return "token"
}

// token is one lexical element. pos is the 1-based rune offset of its first
// character; text is the attribute name, the unescaped string, the number,
// the identifier or the operator.
type token struct {
	kind tokenKind
	pos  int
	text string
}

// describe returns how the token is shown in "found ..." messages.
func (t token) describe() string {
	switch t.kind {
	case tokAttr:
		return "attribute [" + t.text + "]"
	case tokString:
		return "string " + quote(t.text)
	case tokNumber:
		return "number " + t.text
	case tokIdent:
		return "name " + t.text
	case tokCompare, tokConcat:
		return `"` + t.text + `"`
	}
	return t.kind.describe()
}

// lexer splits an expression into tokens. It works on runes so that
// positions are columns a person can count.
type lexer struct {
	src []rune
	i   int // index of the next rune
}

func (l *lexer) errorf(pos int, format string, args ...any) *SyntaxError {
	return newSyntaxError(l.src, pos, fmt.Sprintf(format, args...))
}

// next returns the next token or a syntax error.
func (l *lexer) next() (token, *SyntaxError) {
	for l.i < len(l.src) && unicode.IsSpace(l.src[l.i]) {
		l.i++
	}
	start := l.i
	pos := start + 1
	if l.i >= len(l.src) {
		return token{kind: tokEOF, pos: pos}, nil
	}
	r := l.src[l.i]
	switch {
	case r == '(':
		l.i++
		return token{kind: tokLParen, pos: pos, text: "("}, nil
	case r == ')':
		l.i++
		return token{kind: tokRParen, pos: pos, text: ")"}, nil
	case r == ',':
		l.i++
		return token{kind: tokComma, pos: pos, text: ","}, nil
	case r == '[':
		return l.attribute()
	case r == '"':
		return l.str()
	case r == '-' || isDigit(r):
		return l.number()
	case r == '=' || r == '<' || r == '>' || r == '!':
		return l.compare()
	case r == '&':
		return l.ampersand()
	case isIdentStart(r):
		for l.i < len(l.src) && isIdentPart(l.src[l.i]) {
			l.i++
		}
		return token{kind: tokIdent, pos: pos, text: string(l.src[start:l.i])}, nil
	}
	return token{}, l.errorf(pos, "unexpected character %s", strconv.QuoteRune(r))
}

func (l *lexer) attribute() (token, *SyntaxError) {
	pos := l.i + 1
	l.i++ // [
	start := l.i
	for l.i < len(l.src) && l.src[l.i] != ']' {
		switch l.src[l.i] {
		case '[', '\n', '\r':
			return token{}, l.errorf(l.i+1, `expected "]" to close the attribute name started at column %d`, pos)
		}
		l.i++
	}
	if l.i >= len(l.src) {
		return token{}, l.errorf(l.i+1, `expected "]" to close the attribute name started at column %d, found end of input`, pos)
	}
	name := strings.TrimSpace(string(l.src[start:l.i]))
	l.i++ // ]
	if name == "" {
		return token{}, l.errorf(pos, "expected an attribute name between [ and ]")
	}
	return token{kind: tokAttr, pos: pos, text: name}, nil
}

// str reads a string constant. A backslash escapes a quote or a backslash;
// before any other character it is kept, so that regular expressions such
// as "\d+" can be written as they are.
func (l *lexer) str() (token, *SyntaxError) {
	pos := l.i + 1
	l.i++ // opening quote
	var b strings.Builder
	for l.i < len(l.src) {
		r := l.src[l.i]
		switch {
		case r == '"':
			l.i++
			return token{kind: tokString, pos: pos, text: b.String()}, nil
		case r == '\\' && l.i+1 < len(l.src) && (l.src[l.i+1] == '"' || l.src[l.i+1] == '\\'):
			b.WriteRune(l.src[l.i+1])
			l.i += 2
		default:
			b.WriteRune(r)
			l.i++
		}
	}
	return token{}, l.errorf(l.i+1, `expected '"' to close the string started at column %d, found end of input`, pos)
}

func (l *lexer) number() (token, *SyntaxError) {
	pos := l.i + 1
	start := l.i
	if l.src[l.i] == '-' {
		l.i++
		if l.i >= len(l.src) || !isDigit(l.src[l.i]) {
			return token{}, l.errorf(pos, `expected a digit after "-"`)
		}
	}
	for l.i < len(l.src) && isDigit(l.src[l.i]) {
		l.i++
	}
	if l.i < len(l.src) && isIdentPart(l.src[l.i]) {
		return token{}, l.errorf(l.i+1, "unexpected character %s in number", strconv.QuoteRune(l.src[l.i]))
	}
	return token{kind: tokNumber, pos: pos, text: string(l.src[start:l.i])}, nil
}

func (l *lexer) compare() (token, *SyntaxError) {
	pos := l.i + 1
	two := ""
	if l.i+1 < len(l.src) {
		two = string(l.src[l.i : l.i+2])
	}
	switch two {
	case "<>", "!=", "<=", ">=", "==":
		l.i += 2
		if two == "==" {
			two = "="
		}
		return token{kind: tokCompare, pos: pos, text: two}, nil
	}
	r := l.src[l.i]
	if r == '!' {
		return token{}, l.errorf(pos, `unexpected character '!' (did you mean "!=" or Not(...)?)`)
	}
	l.i++
	return token{kind: tokCompare, pos: pos, text: string(r)}, nil
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isIdentStart(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

func isIdentPart(r rune) bool { return isIdentStart(r) || isDigit(r) }

// quote returns s in double quotes with the expression language's escapes.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// ampersand reads either a hexadecimal number, &HF7 as in Visual Basic, or
// the "&" operator that concatenates two strings. A hexadecimal number
// becomes a number token holding its decimal value.
func (l *lexer) ampersand() (token, *SyntaxError) {
	pos := l.i + 1
	if l.i+1 < len(l.src) && (l.src[l.i+1] == 'H' || l.src[l.i+1] == 'h') {
		start := l.i + 2
		end := start
		for end < len(l.src) && isHexDigit(l.src[end]) {
			end++
		}
		if end > start && (end >= len(l.src) || !isIdentPart(l.src[end])) {
			n, err := strconv.ParseInt(string(l.src[start:end]), 16, 64)
			if err != nil {
				return token{}, l.errorf(pos, "hexadecimal number %s is too large", string(l.src[l.i:end]))
			}
			l.i = end
			return token{kind: tokNumber, pos: pos, text: strconv.FormatInt(n, 10)}, nil
		}
	}
	l.i++
	return token{kind: tokConcat, pos: pos, text: "&"}, nil
}

func isHexDigit(r rune) bool {
	return isDigit(r) || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}
