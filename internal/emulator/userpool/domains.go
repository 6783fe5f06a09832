package userpool

import (
	"crypto/sha256"
	"encoding/base32"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// User-pool domains: CreateUserPoolDomain, DescribeUserPoolDomain,
// UpdateUserPoolDomain and DeleteUserPoolDomain, as Cognito has them. A
// pool has at most one prefix domain ("myprefix", served as
// myprefix.auth.<region>.amazoncognito.com) and one custom domain (a
// fully-qualified name with an ACM certificate); a domain belongs to one
// pool. Requests to the hosted UI whose Host is one of a pool's domains
// reach that pool only (domainGate).

// poolDomain is one domain of a user pool.
type poolDomain struct {
	Domain string `json:"domain"`
	// CertificateArn is the ACM certificate of a custom domain ("" for a
	// prefix domain).
	CertificateArn      string    `json:"certificateArn,omitempty"`
	ManagedLoginVersion int       `json:"managedLoginVersion"`
	Created             time.Time `json:"created"`
}

func (d *poolDomain) custom() bool { return d.CertificateArn != "" }

// prefixRe is a prefix domain's form (the model's DomainType pattern).
var prefixRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// customRe is a custom domain's form: two or more DNS labels.
var customRe = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// reservedDomainWords may not appear in a prefix domain.
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

type domainInput struct {
	Domain              string `json:"Domain"`
	UserPoolId          string `json:"UserPoolId"`
	ManagedLoginVersion *int   `json:"ManagedLoginVersion"`
	CustomDomainConfig  *struct {
		CertificateArn string `json:"CertificateArn"`
	} `json:"CustomDomainConfig"`
}

func (in *domainInput) poolID() string { return in.UserPoolId }

// certificate returns the input's certificate ARN, checked ("" when none
// is given).
func (in *domainInput) certificate() (string, error) {
	if in.CustomDomainConfig == nil {
		return "", nil
	}
	arn := in.CustomDomainConfig.CertificateArn
	if err := required("customDomainConfig.certificateArn", arn); err != nil {
		return "", err
	}
	if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:") || !strings.Contains(arn, ":certificate/") {
		return "", errInvalidParam("The specified SSL certificate %s does not exist in region us-east-1.", arn)
	}
	return arn, nil
}

// managedLoginVersion checks a ManagedLoginVersion (nil: def).
func managedLoginVersion(v *int, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v != 1 && *v != 2 {
		return 0, errInvalidParam("ManagedLoginVersion must be 1 (hosted UI classic) or 2 (managed login).")
	}
	return *v, nil
}

// domainOwner returns the pool holding domain (lower-cased), and the
// domain, or nil.
func (s *Server) domainOwner(domain string) (*pool, *poolDomain) {
	for _, p := range s.st.Pools {
		for _, d := range []*poolDomain{p.Domain, p.CustomDomain} {
			if d != nil && d.Domain == domain {
				return p, d
			}
		}
	}
	return nil, nil
}

func opCreateUserPoolDomain(s *Server, c *call) (any, error) {
	var in domainInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if err := required("domain", in.Domain); err != nil {
		return nil, err
	}
	cert, err := in.certificate()
	if err != nil {
		return nil, err
	}
	mlv, err := managedLoginVersion(in.ManagedLoginVersion, 1)
	if err != nil {
		return nil, err
	}
	d := &poolDomain{Domain: in.Domain, CertificateArn: cert, ManagedLoginVersion: mlv, Created: c.now}
	slot := &p.Domain
	if cert != "" {
		if !customRe.MatchString(in.Domain) || len(in.Domain) > 253 {
			return nil, errInvalidParam("Custom domain %s is not a valid fully-qualified domain name.", in.Domain)
		}
		slot = &p.CustomDomain
	} else {
		if !prefixRe.MatchString(in.Domain) {
			return nil, errInvalidParam("Domain %s is not a valid prefix domain: use lower-case letters, numbers and hyphens; a custom domain needs CustomDomainConfig.", in.Domain)
		}
		for _, w := range reservedDomainWords {
			if strings.Contains(in.Domain, w) {
				return nil, errInvalidParam("Domain cannot contain reserved word: %s", w)
			}
		}
	}
	if owner, _ := s.domainOwner(in.Domain); owner != nil {
		return nil, errInvalidParam("Domain already associated with another user pool.")
	}
	if *slot != nil {
		return nil, errInvalidParam("User pool already has a domain configured.")
	}
	*slot = d
	p.Modified = c.now
	out := map[string]any{"ManagedLoginVersion": d.ManagedLoginVersion}
	if d.custom() {
		out["CloudFrontDomain"] = cloudFrontDomain(d.Domain)
	}
	return out, nil
}

type describeDomainInput struct {
	Domain string `json:"Domain"`
}

func opDescribeUserPoolDomain(s *Server, c *call) (any, error) {
	var in describeDomainInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := required("domain", in.Domain); err != nil {
		return nil, err
	}
	p, d := s.domainOwner(in.Domain)
	if p == nil {
		// Cognito answers an unknown domain with an empty description.
		return map[string]any{"DomainDescription": map[string]any{}}, nil
	}
	desc := map[string]any{
		"UserPoolId": p.ID, "AWSAccountId": accountID, "Domain": d.Domain,
		"S3Bucket":               "aws-cognito-prod-" + regionCode(s.opts.Region) + "-assets",
		"CloudFrontDistribution": cloudFrontDomain(d.Domain),
		"Version":                d.Created.UTC().Format("20060102150405"),
		"Status":                 "ACTIVE",
		"ManagedLoginVersion":    d.ManagedLoginVersion,
	}
	if d.custom() {
		desc["CustomDomainConfig"] = map[string]any{"CertificateArn": d.CertificateArn}
	}
	return map[string]any{"DomainDescription": desc}, nil
}

// poolDomainNamed finds the domain named by in among the pool's.
func (s *Server) poolDomainNamed(c *call, in *domainInput) (*pool, **poolDomain, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	if err := required("domain", in.Domain); err != nil {
		return nil, nil, err
	}
	for _, slot := range []**poolDomain{&p.Domain, &p.CustomDomain} {
		if *slot != nil && (*slot).Domain == in.Domain {
			return p, slot, nil
		}
	}
	return nil, nil, errorf("ResourceNotFoundException", "User pool domain %s does not exist for user pool %s.", in.Domain, p.ID)
}

func opUpdateUserPoolDomain(s *Server, c *call) (any, error) {
	var in domainInput
	p, slot, err := s.poolDomainNamed(c, &in)
	if err != nil {
		return nil, err
	}
	d := *slot
	mlv, err := managedLoginVersion(in.ManagedLoginVersion, d.ManagedLoginVersion)
	if err != nil {
		return nil, err
	}
	cert, err := in.certificate()
	if err != nil {
		return nil, err
	}
	if cert != "" && !d.custom() {
		return nil, errInvalidParam("A prefix domain has no certificate to update.")
	}
	upd := *d
	upd.ManagedLoginVersion = mlv
	if cert != "" {
		upd.CertificateArn = cert
	}
	*slot = &upd
	p.Modified = c.now
	out := map[string]any{"ManagedLoginVersion": upd.ManagedLoginVersion}
	if upd.custom() {
		out["CloudFrontDomain"] = cloudFrontDomain(upd.Domain)
	}
	return out, nil
}

func opDeleteUserPoolDomain(s *Server, c *call) (any, error) {
	var in domainInput
	p, slot, err := s.poolDomainNamed(c, &in)
	if err != nil {
		return nil, err
	}
	*slot = nil
	p.Modified = c.now
	return map[string]any{}, nil
}

// cloudFrontDomain is the stable CloudFront name the emulator gives a
// domain (Cognito's are "d" and 13 base-32 characters).
func cloudFrontDomain(domain string) string {
	h := sha256.Sum256([]byte(domain))
	return "d" + strings.ToLower(base32.StdEncoding.EncodeToString(h[:]))[:13] + ".cloudfront.net"
}

// regionCode is the airport code Cognito's asset buckets are named with.
func regionCode(region string) string {
	codes := map[string]string{"us-east-1": "iad", "us-east-2": "cmh", "us-west-1": "sfo", "us-west-2": "pdx",
		"eu-west-1": "dub", "eu-west-2": "lhr", "eu-west-3": "cdg", "eu-central-1": "fra", "eu-north-1": "arn",
		"ap-northeast-1": "nrt", "ap-northeast-2": "icn", "ap-southeast-1": "sin", "ap-southeast-2": "syd",
		"ap-south-1": "bom", "ca-central-1": "yul", "sa-east-1": "gru"}
	if c, ok := codes[region]; ok {
		return c
	}
	return region
}

// poolForHost returns the pool whose domain host names (a prefix domain's
// full name or a custom domain), and whether host has the form of a
// Cognito prefix domain at all. The caller holds s.mu.
func (s *Server) poolForHost(host string) (p *pool, cognitoForm bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	suffix := ".auth." + s.opts.Region + ".amazoncognito.com"
	if prefix, ok := strings.CutSuffix(host, suffix); ok && !strings.Contains(prefix, ".") {
		p, d := s.domainOwner(prefix)
		if d != nil && d.custom() {
			p = nil
		}
		return p, true
	}
	if strings.HasSuffix(host, ".amazoncognito.com") {
		return nil, true
	}
	p, d := s.domainOwner(host)
	if d != nil && !d.custom() {
		p = nil
	}
	return p, false
}

// domainGate wraps a hosted-UI handler: a request whose Host is a
// user-pool domain reaches fn only for that pool's app clients; a Host of
// Cognito's domain form that no pool has is not found. Other hosts (the
// emulator's own address) pass as before.
func domainGate(fn func(s *Server, w http.ResponseWriter, r *http.Request)) func(s *Server, w http.ResponseWriter, r *http.Request) {
	return func(s *Server, w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		p, cognitoForm := s.poolForHost(r.Host)
		s.mu.Unlock()
		if p == nil {
			if cognitoForm {
				http.Error(w, "no user pool has the domain "+r.Host, http.StatusNotFound)
				return
			}
			fn(s, w, r)
			return
		}
		// The body is read outside s.mu (a slow client holds no lock);
		// the domain is looked up again after.
		id := requestClientID(w, r)
		s.mu.Lock()
		p, _ = s.poolForHost(r.Host)
		mine := p != nil && (id == "" || p.Clients[id] != nil)
		s.mu.Unlock()
		if !mine {
			renderError(w, oerr("invalid_request", "the client does not belong to the user pool of this domain"))
			return
		}
		fn(s, w, r)
	}
}

// requestClientID is the client_id a hosted-UI request names: in its
// query, its form or its HTTP Basic credentials.
func requestClientID(w http.ResponseWriter, r *http.Request) string {
	if id := r.URL.Query().Get("client_id"); id != "" {
		return id
	}
	if id, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			return u // RFC 6749 section 2.3.1: form-encoded
		}
		return id
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err == nil {
			return r.PostForm.Get("client_id")
		}
	}
	return ""
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"CreateUserPoolDomain":   {fn: opCreateUserPoolDomain},
		"DescribeUserPoolDomain": {fn: opDescribeUserPoolDomain, readOnly: true},
		"UpdateUserPoolDomain":   {fn: opUpdateUserPoolDomain},
		"DeleteUserPoolDomain":   {fn: opDeleteUserPoolDomain},
	})
}
