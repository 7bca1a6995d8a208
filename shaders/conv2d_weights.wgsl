// Conv2d weight relayout, so the conv kernels load 4 channels with one vec4 load. W (O, Cg, KH, KW) ->
// relayout 0 (forward): (G, Cg * KH * KW, OGP), output channels innermost, zero-padded to OGP per group;
// relayout 1 (strided input gradient): (G, KH * KW, Og, CGP), input channels innermost, zero-padded to CGP;
// relayout 2 (stride-1 input gradient, run by the forward kernel): the flipped, transposed kernel in the
// forward layout, (G, Og * KH * KW, CGP) with W'[c, o, kh, kw] = W[o, c, KH - 1 - kh, KW - 1 - kw];
// relayout 3 (channels-last forward, conv2d_cl): (G, KH * KW, CGP, OGP), output channels innermost;
// relayout 4 (channels-last stride-1 input gradient): W' in that layout, (G, KH * KW, OGP, CGP).
// One invocation per destination element.

struct Params {
  count: u32,
  og: u32,   // output channels per group
  cg: u32,   // input channels per group
  taps: u32, // KH * KW
  ogp: u32,
  cgp: u32,
  relayout: u32,  // 0: forward, 1: strided input gradient, 2: stride-1 input gradient, 3 and 4: channels last
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  let og = params.og;
  let cg = params.cg;
  let K = cg * params.taps;
  if (params.relayout == 0u) {
    let o = i % params.ogp;
    let k = (i / params.ogp) % K;
    let g = i / (params.ogp * K);
    out[i] = select(0.0, weight[(g * og + min(o, og - 1u)) * K + k], o < og);
  } else if (params.relayout == 2u) {
    let c = i % params.cgp;
    let k = (i / params.cgp) % (og * params.taps);
    let g = i / (params.cgp * og * params.taps);
    let o = k / params.taps;
    let flipped = params.taps - 1u - k % params.taps;
    out[i] = select(0.0, weight[((g * og + o) * cg + min(c, cg - 1u)) * params.taps + flipped], c < cg);
  } else if (params.relayout == 3u) {
    let o = i % params.ogp;
    let c = (i / params.ogp) % params.cgp;
    let tap = (i / (params.ogp * params.cgp)) % params.taps;
    let g = i / (params.ogp * params.cgp * params.taps);
    let inside = o < og && c < cg;
    out[i] = select(0.0, weight[((g * og + min(o, og - 1u)) * cg + min(c, cg - 1u)) * params.taps + tap], inside);
  } else if (params.relayout == 4u) {
    let c = i % params.cgp;
    let o = (i / params.cgp) % params.ogp;
    let tap = (i / (params.cgp * params.ogp)) % params.taps;
    let g = i / (params.cgp * params.ogp * params.taps);
    let inside = o < og && c < cg;
    let flipped = params.taps - 1u - tap;
    out[i] = select(0.0, weight[((g * og + min(o, og - 1u)) * cg + min(c, cg - 1u)) * params.taps + flipped], inside);
  } else {
    let c = i % params.cgp;
    let o = (i / params.cgp) % og;
    let tap = (i / (params.cgp * og)) % params.taps;
    let g = i / (params.cgp * og * params.taps);
    out[i] = select(0.0, weight[((g * og + o) * cg + min(c, cg - 1u)) * params.taps + tap], c < cg);
  }
}
