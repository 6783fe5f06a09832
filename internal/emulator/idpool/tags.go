package idpool

import (
	"strings"
)

// maxTags is how many tags an identity pool may have, as in Cognito.
const maxTags = 50

// poolByARNLocked returns the identity pool an ARN
// "arn:aws:cognito-identity:{region}:{account}:identitypool/{id}" names.
// The caller holds s.mu.
func (s *Service) poolByARNLocked(arn string) (*Pool, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "cognito-identity" ||
		!strings.HasPrefix(parts[5], "identitypool/") {
		return nil, invalidParam("Invalid ResourceArn %s: it must be arn:aws:cognito-identity:{region}:{account}:identitypool/{identityPoolId}.", arn)
	}
	id := strings.TrimPrefix(parts[5], "identitypool/")
	p, ok := s.st.Pools[id]
	if !ok || parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return nil, apiErr("ResourceNotFoundException", "Resource %s not found.", arn)
	}
	return p, nil
}

// PoolARN returns the ARN of identity pool id, which the tag operations
// take.
func (s *Service) PoolARN(id string) string {
	return "arn:aws:cognito-identity:" + s.cfg.Region + ":" + s.cfg.AccountID + ":identitypool/" + id
}

func (s *Service) tagResource(body []byte) (any, error) {
	var in struct {
		ResourceArn string
		Tags        map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for k := range in.Tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidParam("Tag key %s: keys starting with aws: are reserved.", k)
		}
	}
	return s.withPoolARN(in.ResourceArn, func(p *Pool) (any, error) {
		// A new map: a description being encoded may still hold the old one.
		merged := make(map[string]string, len(p.Tags)+len(in.Tags))
		for k, v := range p.Tags {
			merged[k] = v
		}
		for k, v := range in.Tags {
			merged[k] = v
		}
		if len(merged) > maxTags {
			return nil, invalidParam("An identity pool can have at most %d tags; this would make %d.", maxTags, len(merged))
		}
		p.Tags = merged
		return struct{}{}, nil
	})
}

func (s *Service) untagResource(body []byte) (any, error) {
	var in struct {
		ResourceArn string
		TagKeys     []string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return s.withPoolARN(in.ResourceArn, func(p *Pool) (any, error) {
		// A new map: a description being encoded may still hold the old one.
		var kept map[string]string
		for k, v := range p.Tags {
			if !contains(in.TagKeys, k) {
				if kept == nil {
					kept = map[string]string{}
				}
				kept[k] = v
			}
		}
		p.Tags = kept
		return struct{}{}, nil
	})
}

func (s *Service) listTagsForResource(body []byte) (any, error) {
	var in struct{ ResourceArn string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return s.withPoolARN(in.ResourceArn, func(p *Pool) (any, error) {
		tags := map[string]string{}
		for k, v := range p.Tags {
			tags[k] = v
		}
		return map[string]any{"Tags": tags}, nil
	})
}

// withPoolARN runs fn on the pool an ARN names, with s.mu held.
func (s *Service) withPoolARN(arn string, fn func(p *Pool) (any, error)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.poolByARNLocked(arn)
	if err != nil {
		return nil, err
	}
	return fn(p)
}
