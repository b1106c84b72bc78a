vcl 4.1;
# meterwall behind Varnish (7.x; Fastly's VCL derives from this dialect). Article pages come
# from the cache, one copy per article and variant (full, teaser, prompt); the reader's decision
# comes from the origin's small decision route, never from the cache. `npm run example:cdn` runs
# it in front of the example site; guide and what is unsafe: docs/network.md ("Behind a cache").
#
# For each article request:
#   1. GET /meterwall/decide/articles/<slug>?<query> at the origin, with the reader's own headers
#      (cookies, page-view signals): 204 with x-meterwall-variant (full | teaser | prompt),
#      x-meterwall-variant-signed (for the origin) and the decision's Set-Cookie. Never cached.
#   2. restart: the page, looked up by path and variant with no cookie; on a miss, fetched from
#      the origin with the signed variant (bound to this article, minutes old at most), which
#      renders it with nothing per reader and allows a shared cache to keep it.
#   3. to the browser: the page with the decision's Set-Cookie, "Cache-Control: private,
#      no-store" and X-Cache: HIT or MISS.

backend origin {
  .host = "127.0.0.1";
  .port = "3001";
  .connect_timeout = 2s;
  .first_byte_timeout = 10s;
}

sub vcl_recv {
  if (req.restarts == 0) {
    # Headers only this VCL sets: never the client's.
    unset req.http.x-meterwall-variant;
    unset req.http.x-meterwall-signed;
    unset req.http.x-meterwall-url;
    unset req.http.x-meterwall-set-cookie;
    unset req.http.x-meterwall-referrer-policy;
    # The origin's internal routes (the decision, the articles' facts) are not for clients.
    if (req.url ~ "^/meterwall/") {
      return (synth(404));
    }
    if ((req.method == "GET" || req.method == "HEAD") && req.url ~ "^/articles/[a-z0-9-]+(\?|$)") {
      set req.http.x-meterwall-url = req.url;
      set req.url = "/meterwall/decide" + req.url;
      return (pass);
    }
    # Everything else (the front page, forms, sign-in, styles): Varnish's built-in rules, so the
    # origin's Cache-Control decides (its per-reader pages say private, no-store).
  } else if (req.http.x-meterwall-variant) {
    # After the decision: the page for the variant. The query (a gift token, ?debug=1) was the
    # decision's; the page is the same for every reader of this variant.
    set req.url = regsub(req.http.x-meterwall-url, "\?.*$", "");
    unset req.http.cookie;
    unset req.http.authorization;
    return (hash);
  } else {
    return (synth(503));
  }
}

sub vcl_hash {
  # The bare variant, never the signed value (it changes every second).
  if (req.http.x-meterwall-variant) {
    hash_data(req.http.x-meterwall-variant);
  }
}

sub vcl_backend_fetch {
  # The origin gets the signed variant, under the header it reads.
  if (bereq.http.x-meterwall-signed) {
    set bereq.http.x-meterwall-variant = bereq.http.x-meterwall-signed;
  }
  unset bereq.http.x-meterwall-signed;
  unset bereq.http.x-meterwall-url;
  unset bereq.http.x-meterwall-set-cookie;
  unset bereq.http.x-meterwall-referrer-policy;
}

sub vcl_backend_response {
  if (beresp.http.set-cookie) {
    # A response that sets a cookie is one reader's: never stored, whatever else it says.
    set beresp.uncacheable = true;
    set beresp.ttl = 120s;
    return (deliver);
  }
  if (bereq.url ~ "^/articles/" && beresp.status != 200) {
    # Only a rendered page is kept: an error is asked for again.
    set beresp.uncacheable = true;
    set beresp.ttl = 10s;
    return (deliver);
  }
  if (beresp.http.vary ~ "^(?i)x-meterwall-variant$") {
    # The variant is in the hash already; varying on the header would vary on the signed value.
    unset beresp.http.vary;
  }
  # A page's lifetime is the origin's s-maxage (the paywall's cdn.sharedMaxAge), as built in.
}

sub vcl_deliver {
  if (req.restarts == 0 && req.http.x-meterwall-url) {
    if (resp.status == 204 && resp.http.x-meterwall-variant ~ "^(full|teaser|prompt)$" && resp.http.x-meterwall-variant-signed) {
      set req.http.x-meterwall-variant = resp.http.x-meterwall-variant;
      set req.http.x-meterwall-signed = resp.http.x-meterwall-variant-signed;
      if (resp.http.set-cookie) {
        set req.http.x-meterwall-set-cookie = resp.http.set-cookie;
      }
      if (resp.http.referrer-policy) {
        set req.http.x-meterwall-referrer-policy = resp.http.referrer-policy;
      }
      return (restart);
    }
    # No decision (an unknown article, the origin down): as it came, kept by no one.
    set resp.http.cache-control = "private, no-store";
    return (deliver);
  }
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
  if (req.http.x-meterwall-variant) {
    # The shared page, made the reader's: the decision's cookie, and no cache downstream.
    set resp.http.cache-control = "private, no-store";
    set resp.http.vary = "Cookie";
    unset resp.http.age;
    if (req.http.x-meterwall-set-cookie) {
      set resp.http.set-cookie = req.http.x-meterwall-set-cookie;
    }
    if (req.http.x-meterwall-referrer-policy) {
      set resp.http.referrer-policy = req.http.x-meterwall-referrer-policy;
    }
  }
}
