// cilium-policy: parses policies with Cilium's own code and answers "is this
// flow allowed?" with Cilium's own selectors, for the tests of aileron-k8s.
//
// It reads one JSON request on stdin:
//
//	{"policies": [CiliumNetworkPolicy or NetworkPolicy objects],
//	 "endpoints": {"id": {"namespace": "ns", "labels": {...}, "namespaceLabels": {...}}},
//	 "flows": [{"from": "id", "to": "id", "port": 443, "protocol": "TCP"},
//	           {"from": "id", "toIP": "1.2.3.4", "toName": "github.com", "port": 443},
//	           {"from": "id", "to": "kube-dns", "port": 53, "protocol": "UDP", "dnsQuery": "evil.com"},
//	           {"fromIP": "203.0.113.9", "to": "id", "port": 3002},
//	           {"fromEntity": "host", "to": "id", "port": 3002}]}
//
// and writes {"parsed": [{"policy": "ns/name", "error": "..."}], "verdicts": [{"allowed": bool, "why": "..."}]}.
//
// Parsing is Cilium's: CiliumNetworkPolicy.Parse() (with its Sanitize) and
// k8s.ParseNetworkPolicy(). Selection is Cilium's: EndpointSelector.Matches
// over the label arrays Cilium gives pods (k8s: labels, the namespace label,
// namespace labels), CIDR peers (labels.GetCIDRLabels, whose matching is
// prefix-aware) and reserved entities; FQDN peers carry the fqdn: labels of
// the selectors whose regex (Cilium's matchpattern) matches their name, as
// Cilium's DNS proxy labels the IPs it learns. The verdict follows Cilium's
// policy resolution (pkg/policy/repository.go, rule.go): a direction with a
// rule selecting the endpoint is default-deny, deny rules win over allow
// rules, rules without L3 peers but with ports allow any peer on those ports,
// and DNS queries through the proxy must match a dns rule of an allowing port.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/cilium/pkg/fqdn/dns"
	"github.com/cilium/cilium/pkg/fqdn/re"
	k8sconst "github.com/cilium/cilium/pkg/k8s/apis/cilium.io"
	ciliumv2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	"github.com/cilium/cilium/pkg/k8s"
	slim_networkingv1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/networking/v1"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/policy/api"
)

// The agent's defaults: cluster "default", and policies parsed for any cluster
// (policy-default-local-cluster is false in 1.18).
const clusterName = "default"
const policyClusterName = "" // cmtypes.PolicyAnyCluster

type endpoint struct {
	Namespace       string            `json:"namespace"`
	Labels          map[string]string `json:"labels"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	ServiceAccount  string            `json:"serviceAccount"`
}

type flow struct {
	From       string `json:"from"`
	FromIP     string `json:"fromIP"`
	FromEntity string `json:"fromEntity"`
	To         string `json:"to"`
	ToIP       string `json:"toIP"`
	ToName     string `json:"toName"`
	ToEntity   string `json:"toEntity"`
	Port       int    `json:"port"`
	Protocol   string `json:"protocol"`
	DNSQuery   string `json:"dnsQuery"`
}

type request struct {
	Policies  []json.RawMessage   `json:"policies"`
	Endpoints map[string]endpoint `json:"endpoints"`
	Flows     []flow              `json:"flows"`
}

type parsed struct {
	Policy string `json:"policy"`
	Kind   string `json:"kind"`
	Rules  int    `json:"rules"`
	Error  string `json:"error,omitempty"`
}

type verdict struct {
	Allowed bool   `json:"allowed"`
	Why     string `json:"why"`
}

type response struct {
	Parsed   []parsed  `json:"parsed"`
	Verdicts []verdict `json:"verdicts"`
}

// A named rule, so verdicts can say which policy decided.
type namedRule struct {
	policy string
	rule   *api.Rule
}

func main() {
	var req request
	body, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cilium-policy: bad request: %v\n", err)
		os.Exit(2)
	}
	api.InitEntities(clusterName)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := re.InitRegexCompileLRU(logger, 1024); err != nil {
		fmt.Fprintf(os.Stderr, "cilium-policy: %v\n", err)
		os.Exit(2)
	}

	var res response
	var rules []namedRule
	for _, raw := range req.Policies {
		p, rs := parsePolicy(logger, raw)
		res.Parsed = append(res.Parsed, p)
		for _, r := range rs {
			rules = append(rules, namedRule{p.Policy, r})
		}
	}
	for _, f := range req.Flows {
		res.Verdicts = append(res.Verdicts, decide(rules, req.Endpoints, f))
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", " ")
	if err := out.Encode(res); err != nil {
		os.Exit(1)
	}
}

func parsePolicy(logger *slog.Logger, raw json.RawMessage) (parsed, api.Rules) {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &head)
	p := parsed{Policy: head.Metadata.Namespace + "/" + head.Metadata.Name, Kind: head.Kind}
	var rules api.Rules
	var err error
	switch head.Kind {
	case "CiliumNetworkPolicy":
		var cnp ciliumv2.CiliumNetworkPolicy
		if err = strictUnmarshal(raw, &cnp); err == nil {
			rules, err = cnp.Parse(logger, policyClusterName)
		}
	case "NetworkPolicy":
		// Cilium's slim types drop fields it does not use (ownerReferences' details), so no strictness here:
		// the API server's strict field validation checks these objects in the e2e tests.
		var np slim_networkingv1.NetworkPolicy
		if err = json.Unmarshal(raw, &np); err == nil {
			rules, err = k8s.ParseNetworkPolicy(logger, policyClusterName, &np)
		}
	default:
		err = fmt.Errorf("unsupported kind %q", head.Kind)
	}
	if err != nil {
		p.Error = err.Error()
		return p, nil
	}
	p.Rules = len(rules)
	return p, rules
}

// strictUnmarshal refuses unknown fields, as the API server's strict field validation does.
func strictUnmarshal(raw []byte, into any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// The label array Cilium gives a pod: its labels, its namespace, the namespace's labels, its service account, the cluster.
func podLabels(ep endpoint) labels.LabelArray {
	m := map[string]string{}
	for k, v := range ep.Labels {
		m[k] = v
	}
	m[k8sconst.PodNamespaceLabel] = ep.Namespace
	for k, v := range ep.NamespaceLabels {
		m[k8sconst.PodNamespaceMetaLabelsPrefix+k] = v
	}
	sa := ep.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	m[k8sconst.PolicyLabelServiceAccount] = sa
	m[k8sconst.PolicyLabelCluster] = clusterName
	return labels.Map2Labels(m, labels.LabelSourceK8s).LabelArray()
}

func entityLabels(entity string) (labels.LabelArray, error) {
	switch entity {
	case "host":
		return labels.LabelHost.LabelArray(), nil
	case "remote-node":
		return labels.LabelRemoteNode.LabelArray(), nil
	case "kube-apiserver":
		return labels.LabelKubeAPIServer.LabelArray(), nil
	case "world":
		return labels.LabelWorld.LabelArray(), nil
	case "ingress":
		// Cilium's own Envoy (its Ingress and Gateway API), as backends see its traffic.
		return labels.LabelIngress.LabelArray(), nil
	}
	return nil, fmt.Errorf("unknown entity %q", entity)
}

// An outside peer: its CIDR labels, and the fqdn: labels of every selector whose pattern matches its name.
func externalLabels(ip, name string, rules []namedRule) (labels.LabelArray, error) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return nil, err
	}
	lbls := labels.GetCIDRLabels(netip.PrefixFrom(addr, addr.BitLen()))
	if name != "" {
		fqdn := dns.FQDN(name)
		for _, nr := range rules {
			for _, e := range nr.rule.Egress {
				for _, sel := range e.ToFQDNs {
					re, err := sel.ToRegex()
					if err == nil && re.MatchString(fqdn) {
						l := sel.IdentityLabel()
						lbls[l.Key] = l
					}
				}
			}
		}
	}
	return lbls.LabelArray(), nil
}

func resolvePeer(id, ip, name, entity string, eps map[string]endpoint, rules []namedRule) (labels.LabelArray, string, error) {
	switch {
	case id != "":
		ep, ok := eps[id]
		if !ok {
			return nil, "", fmt.Errorf("unknown endpoint %q", id)
		}
		return podLabels(ep), ep.Namespace, nil
	case ip != "":
		l, err := externalLabels(ip, name, rules)
		return l, "", err
	case entity != "":
		l, err := entityLabels(entity)
		return l, "", err
	}
	return nil, "", fmt.Errorf("a flow end needs an endpoint, an IP or an entity")
}

// Rules selecting the subject: cluster-wide ones, and those of its namespace (Repository.computePolicyEnforcementAndRules).
func selecting(rules []namedRule, subject labels.LabelArray, namespace string) []namedRule {
	var out []namedRule
	for _, nr := range rules {
		ruleNs := nr.rule.Labels.Get(labels.LabelSourceK8sKeyPrefix + k8sconst.PolicyLabelNamespace)
		if ruleNs != "" && ruleNs != namespace {
			continue
		}
		if nr.rule.NodeSelector.LabelSelector != nil {
			continue
		}
		if nr.rule.EndpointSelector.Matches(subject) {
			out = append(out, nr)
		}
	}
	return out
}

func portMatches(ports []api.PortProtocol, port int, proto string) bool {
	for _, p := range ports {
		if !p.Protocol.IsAny() && string(p.Protocol) != proto {
			continue
		}
		lo, err := strconv.Atoi(p.Port)
		if err != nil {
			continue // named ports are not used by aileron-k8s
		}
		hi := lo
		if p.EndPort > 0 {
			hi = int(p.EndPort)
		}
		if lo == 0 || (port >= lo && port <= hi) {
			return true
		}
	}
	return false
}

// toFQDNs select the IPs Cilium's DNS proxy labelled with the selector's fqdn: label.
func hasFQDNLabel(fqdns api.FQDNSelectorSlice, peer labels.LabelArray) bool {
	for i := range fqdns {
		l := fqdns[i].IdentityLabel()
		for _, p := range peer {
			if p.Source == l.Source && p.Key == l.Key {
				return true
			}
		}
	}
	return false
}

func anyMatches(sels api.EndpointSelectorSlice, peer labels.LabelArray) bool {
	for i := range sels {
		if sels[i].Matches(peer) {
			return true
		}
	}
	return false
}

// A rule's peers and ports allow the flow (rule.go: L3-only rules need peers; port rules without peers wildcard L3).
// dnsOK says whether a DNS query passes the L7 rules of the matching port rule.
func l3l4Matches(peers api.EndpointSelectorSlice, fqdns api.FQDNSelectorSlice, portRules []api.PortRule, denyPorts []api.PortDenyRule, peer labels.LabelArray, port int, proto, query string) (bool, bool) {
	var ports [][]api.PortProtocol
	var l7 []*api.L7Rules
	for _, pr := range portRules {
		ports = append(ports, pr.Ports)
		l7 = append(l7, pr.Rules)
	}
	for _, pr := range denyPorts {
		ports = append(ports, pr.Ports)
		l7 = append(l7, nil)
	}
	l3 := anyMatches(peers, peer) || hasFQDNLabel(fqdns, peer)
	if len(ports) == 0 {
		return len(peers) > 0 && l3, true
	}
	if len(peers) > 0 && !l3 {
		return false, false
	}
	for i, pp := range ports {
		if !portMatches(pp, port, proto) {
			continue
		}
		if query == "" || l7[i] == nil || len(l7[i].DNS) == 0 {
			return true, true
		}
		fqdn := dns.FQDN(query)
		for _, d := range l7[i].DNS {
			sel := api.FQDNSelector(d)
			if re, err := sel.ToRegex(); err == nil && re.MatchString(fqdn) {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

type direction struct {
	enforced bool
	allowed  bool
	denied   bool
	dnsOK    bool
	by       string
}

// evaluate one direction for the subject, as Cilium resolves it.
func evaluate(sel []namedRule, ingress bool, peer labels.LabelArray, port int, proto, query string) direction {
	d := direction{}
	defaultDeny := false
	for _, nr := range sel {
		r := nr.rule
		if ingress && (len(r.Ingress) > 0 || len(r.IngressDeny) > 0) {
			d.enforced = true
			defaultDeny = defaultDeny || r.EnableDefaultDeny.Ingress == nil || *r.EnableDefaultDeny.Ingress
		}
		if !ingress && (len(r.Egress) > 0 || len(r.EgressDeny) > 0) {
			d.enforced = true
			defaultDeny = defaultDeny || r.EnableDefaultDeny.Egress == nil || *r.EnableDefaultDeny.Egress
		}
		if ingress {
			for i := range r.IngressDeny {
				peers := r.IngressDeny[i].GetSourceEndpointSelectorsWithRequirements(nil)
				if ok, _ := l3l4Matches(peers, nil, nil, r.IngressDeny[i].ToPorts, peer, port, proto, ""); ok {
					d.denied, d.by = true, nr.policy
				}
			}
			for i := range r.Ingress {
				peers := r.Ingress[i].GetSourceEndpointSelectorsWithRequirements(nil)
				if ok, dnsOK := l3l4Matches(peers, nil, r.Ingress[i].ToPorts, nil, peer, port, proto, query); ok {
					d.allowed = true
					d.dnsOK = d.dnsOK || dnsOK
					if d.by == "" {
						d.by = nr.policy
					}
				}
			}
		} else {
			for i := range r.EgressDeny {
				peers := r.EgressDeny[i].GetDestinationEndpointSelectorsWithRequirements(nil)
				if ok, _ := l3l4Matches(peers, nil, nil, r.EgressDeny[i].ToPorts, peer, port, proto, ""); ok {
					d.denied, d.by = true, nr.policy
				}
			}
			for i := range r.Egress {
				peers := r.Egress[i].GetDestinationEndpointSelectorsWithRequirements(nil)
				if ok, dnsOK := l3l4Matches(peers, r.Egress[i].ToFQDNs, r.Egress[i].ToPorts, nil, peer, port, proto, query); ok {
					d.allowed = true
					d.dnsOK = d.dnsOK || dnsOK
					if d.by == "" {
						d.by = nr.policy
					}
				}
			}
		}
	}
	if d.enforced && !defaultDeny {
		d.allowed, d.dnsOK = true, true // only default-allow rules: Cilium adds a wildcard allow
	}
	if !d.enforced {
		d.allowed, d.dnsOK = true, true
	}
	return d
}

func decide(rules []namedRule, eps map[string]endpoint, f flow) verdict {
	proto := f.Protocol
	if proto == "" {
		proto = "TCP"
	}
	src, srcNs, err := resolvePeer(f.From, f.FromIP, "", f.FromEntity, eps, rules)
	if err != nil {
		return verdict{false, "bad flow: " + err.Error()}
	}
	dst, dstNs, err := resolvePeer(f.To, f.ToIP, f.ToName, f.ToEntity, eps, rules)
	if err != nil {
		return verdict{false, "bad flow: " + err.Error()}
	}
	if f.From != "" {
		eg := evaluate(selecting(rules, src, srcNs), false, dst, f.Port, proto, f.DNSQuery)
		switch {
		case eg.denied:
			return verdict{false, "egress denied by " + eg.by}
		case !eg.allowed:
			return verdict{false, "egress not allowed (default deny)"}
		case f.DNSQuery != "" && !eg.dnsOK:
			return verdict{false, "DNS query refused by the DNS proxy rules of " + eg.by}
		}
	}
	if f.To != "" {
		in := evaluate(selecting(rules, dst, dstNs), true, src, f.Port, proto, "")
		switch {
		case in.denied:
			return verdict{false, "ingress denied by " + in.by}
		case !in.allowed:
			return verdict{false, "ingress not allowed (default deny)"}
		}
		return verdict{true, "allowed (ingress by " + nonEmpty(in.by, "no policy") + ")"}
	}
	return verdict{true, "allowed"}
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
