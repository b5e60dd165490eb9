// Package archtest holds tests of the repository's own rules, which no
// single package owns: comments and user-facing text that stand alone,
// without citing documents or numbers that are not in the repository.
package archtest
