package idpool

// developerPoolLocked returns the pool of a developer-identity operation
// after checking that providerName is its developer provider. The caller
// holds s.mu.
func (s *Service) developerPoolLocked(poolID, providerName string) (*Pool, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, err
	}
	if p.DeveloperProviderName == "" {
		return nil, apiErr("ResourceNotFoundException", "Identity pool %s has no developer provider.", p.ID)
	}
	if providerName != p.DeveloperProviderName {
		return nil, invalidParam("Developer provider %s is not the developer provider of identity pool %s.", providerName, p.ID)
	}
	return p, nil
}

// mergeDeveloperIdentities merges the identity of the developer user
// SourceUserIdentifier into the identity of DestinationUserIdentifier, as
// Cognito does: every login of the source identity (its developer user
// identifiers and its other providers' logins) is linked to the
// destination, and the source identity is deleted. Logins of one provider
// naming two different users refuse the merge (ResourceConflictException),
// except the developer provider's, which an identity may hold several of.
func (s *Service) mergeDeveloperIdentities(body []byte) (any, error) {
	var in struct {
		SourceUserIdentifier, DestinationUserIdentifier string
		DeveloperProviderName, IdentityPoolId           string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.developerPoolLocked(in.IdentityPoolId, in.DeveloperProviderName)
	if err != nil {
		return nil, err
	}
	dev := p.DeveloperProviderName
	src := s.ownerLocked(p.ID, dev, in.SourceUserIdentifier)
	if src == nil {
		return nil, apiErr("ResourceNotFoundException", "Developer user %s not found.", in.SourceUserIdentifier)
	}
	dst := s.ownerLocked(p.ID, dev, in.DestinationUserIdentifier)
	if dst == nil {
		return nil, apiErr("ResourceNotFoundException", "Developer user %s not found.", in.DestinationUserIdentifier)
	}
	if src == dst {
		return map[string]string{"IdentityId": dst.ID}, nil
	}
	for key, subject := range src.Logins {
		if have, ok := dst.Logins[key]; ok && key != dev && have != subject {
			return nil, apiErr("ResourceConflictException",
				"The identities to merge are linked to two different users of %s.", key)
		}
	}
	for _, key := range sortedKeys(src.Logins) {
		for _, subject := range src.subjects(key) {
			dst.link(key, subject)
		}
	}
	dst.Modified = s.cfg.Now().UTC()
	s.deleteIdentityLocked(src.ID)
	return map[string]string{"IdentityId": dst.ID}, nil
}

// link adds subject under key: as the key's login when it has none, else
// beside it (MoreLogins).
func (ident *Identity) link(key, subject string) {
	if ident.has(key, subject) && subject != "" {
		return
	}
	if _, ok := ident.Logins[key]; !ok {
		if ident.Logins == nil {
			ident.Logins = map[string]string{}
		}
		ident.Logins[key] = subject
		return
	}
	if ident.MoreLogins == nil {
		ident.MoreLogins = map[string][]string{}
	}
	ident.MoreLogins[key] = append(ident.MoreLogins[key], subject)
}

// unlink removes subject from key; another subject of the key (from a
// merge) then takes its place. It reports whether subject was linked.
func (ident *Identity) unlink(key, subject string) bool {
	if have, ok := ident.Logins[key]; ok && have == subject {
		more := ident.MoreLogins[key]
		if len(more) == 0 {
			delete(ident.Logins, key)
			return true
		}
		ident.Logins[key] = more[0]
		subject = more[0]
	}
	more := ident.MoreLogins[key]
	for i, v := range more {
		if v == subject {
			more = append(more[:i:i], more[i+1:]...)
			if len(more) == 0 {
				delete(ident.MoreLogins, key)
			} else {
				ident.MoreLogins[key] = more
			}
			return true
		}
	}
	return false
}

// unlinkDeveloperIdentity unlinks a developer user identifier from its
// identity: the next GetOpenIdTokenForDeveloperIdentity for that user
// makes a new identity. The identity itself stays, with its other logins.
func (s *Service) unlinkDeveloperIdentity(body []byte) (any, error) {
	var in struct {
		IdentityId, IdentityPoolId, DeveloperProviderName, DeveloperUserIdentifier string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.developerPoolLocked(in.IdentityPoolId, in.DeveloperProviderName)
	if err != nil {
		return nil, err
	}
	ident, ok := s.st.Identities[in.IdentityId]
	if !ok || ident.PoolID != p.ID {
		return nil, apiErr("ResourceNotFoundException", "Identity '%s' not found.", in.IdentityId)
	}
	if in.DeveloperUserIdentifier == "" || !ident.unlink(p.DeveloperProviderName, in.DeveloperUserIdentifier) {
		return nil, apiErr("ResourceNotFoundException", "Developer user %s is not linked to identity %s.",
			in.DeveloperUserIdentifier, ident.ID)
	}
	ident.Modified = s.cfg.Now().UTC()
	return struct{}{}, nil
}
