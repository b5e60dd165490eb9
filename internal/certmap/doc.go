// Package certmap computes and classifies the certificate mappings Active
// Directory reads from altSecurityIdentities, following Microsoft KB5014754
// ("Certificate-based authentication changes on Windows domain controllers").
//
// KB5014754 divides explicit mappings into strong ones, which a certificate
// requester cannot choose and which full enforcement still accepts:
//
//	X509:<I>IssuerName<SR>SerialNumberReversedHex   (X509IssuerSerialNumber)
//	X509:<SKI>SubjectKeyIdentifier                  (X509SKI)
//	X509:<SHA1-PUKEY>SHA1Hash                       (X509SHA1PublicKey)
//
// and weak ones, rejected under full enforcement:
//
//	X509:<I>IssuerName<S>SubjectName                (X509IssuerSubject)
//	X509:<S>SubjectName                             (X509SubjectOnly)
//	X509:<RFC822>user@example.test                  (X509RFC822)
//
// Everything here is pure: callers read and write the directory.
package certmap
