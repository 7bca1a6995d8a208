// Training-batch preparation on the GPU (engine/webgpu/augment.ts): gather samples from the uint8 data set,
// scale to 0-1, augment exactly as engine/data/augment.ts (same per-sample draw slots from the same
// counter-based hash under the batch key), normalise, write float32 N x C x H x W. One invocation per output
// pixel (n, y, x), looping over the channels as the CPU reference does.
//
// Draws: sample n, slot s -> hashUniform(key, n * 16 + s) = hash32(hash32(key) ^ counter) >> 8 (24 bits).
// Discrete draws (flips, erase on/off, shifts, crop offsets, erase position, listed angle) use integer
// arithmetic on those 24 bits, so they match the CPU exactly; continuous ones (angle, zoom, erase size,
// noise) are float32. Noise for flat batch element e: Box-Muller on counters 2e, 2e+1 under key ^ NOISE_SALT.

struct Params {
  count: u32,          // samples in the batch
  channels: u32,
  height: u32,
  width: u32,
  key: u32,
  flip_x: u32,         // flip when the 24-bit draw < flip_x (= ceil(p * 2^24))
  flip_y: u32,
  erase_p: u32,        // erase when the 24-bit draw < erase_p
  angle_count: u32,    // ROTATION == 2: number of listed angles (cos, sin pairs in table after the stats)
  shift: u32,          // largest translation, whole pixels
  pad: u32,            // crop padding, whole pixels
  sample_size: u32,    // C * H * W (bytes per sample in the data set)
  degrees: f32,        // ROTATION == 1: uniform within +-degrees
  zoom_min: f32,
  zoom_max: f32,
  noise: f32,          // standard deviation of the added noise (0-1 units)
  area_min: f32,
  area_max: f32,
  log_ratio_min: f32,
  log_ratio_max: f32,
}

@group(0) @binding(0) var<storage, read> data: array<u32>;      // the whole data set, 4 bytes per word
@group(0) @binding(1) var<storage, read> indices: array<u32>;   // data-set index of each batch sample
@group(0) @binding(2) var<storage, read> table: array<f32>;     // (mean, std) per channel, then (cos, sin) per angle
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // N x C x H x W
@group(0) @binding(4) var<uniform> params: Params;

override FLIP: bool = false;       // horizontal / vertical flips (probabilities in params)
override ROTATION: u32 = 0u;       // 0 none, 1 uniform +-degrees, 2 listed angles
override WARP: bool = false;       // zoom or translation drawn (slots 3-5); rotation alone needs only ROTATION
override CROP: bool = false;
override ERASE: bool = false;
override NOISE: bool = false;
override NORMALIZE: bool = false;

const DRAWS_PER_SAMPLE: u32 = 16u;
const NOISE_SALT: u32 = 0x6e6f6973u;
const PI: f32 = 3.14159265358979;

// lowbias32 (Wellons), as hash32 in engine/data/random.ts.
fn hash32(value: u32) -> u32 {
  var x = value;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// The 24 bits of hashUniform(key, counter), given hk = hash32(key): the uniform is bits / 2^24.
fn bits24(hk: u32, counter: u32) -> u32 {
  return hash32(hk ^ counter) >> 8u;
}

fn draw(hk: u32, counter: u32) -> f32 {
  return f32(bits24(hk, counter)) / 16777216.0;
}

// cos and sin of `turns` full turns (|turns| <= 1), accurate to a few float32 ulps: SwiftShader's own cos/sin
// are off by ~1e-4. Exact reduction to the nearest quarter, then Taylor series on |r| <= pi/4.
fn cos_sin_turns(turns: f32) -> vec2f {
  let q = round(turns * 4.0);
  let r = (turns - q * 0.25) * (2.0 * PI);
  let r2 = r * r;
  let c = 1.0 + r2 * (-1.0 / 2.0 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0 - r2 / 3628800.0))));
  let s = r * (1.0 + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 / 362880.0))));
  let k = ((i32(q) % 4) + 4) % 4;
  if (k == 0) { return vec2f(c, s); }
  if (k == 1) { return vec2f(-s, c); }
  if (k == 2) { return vec2f(-c, -s); }
  return vec2f(s, -c);
}

// Natural logarithm of x in (0, 1], accurate to a few ulps (SwiftShader's log is not): x = m 2^e with m in
// [sqrt(1/2), sqrt(2)), log m = 2 atanh((m - 1) / (m + 1)) by its series.
fn log_accurate(x: f32) -> f32 {
  let parts = frexp(x);
  var m = parts.fract;
  var e = f32(parts.exp);
  if (m < 0.70710678) {
    m *= 2.0;
    e -= 1.0;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let series = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 / 11.0)))));
  return series + e * 0.693147180559945;
}

// e^x for |x| < 80, accurate to a few ulps: x = k ln 2 + r, |r| <= ln 2 / 2, Taylor series on r.
fn exp_accurate(x: f32) -> f32 {
  let k = round(x / 0.693147180559945);
  let r = x - k * 0.693147180559945;
  let p = 1.0 + r * (1.0 + r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r / 5040.0))))));
  return ldexp(p, i32(k));
}

// floor(bits / 2^24 * n) exactly, for n < 2^19 (no 32-bit overflow): split bits into 12 + 12.
fn scaled(bits: u32, n: u32) -> u32 {
  let high = (bits >> 12u) * n;
  let low = (bits & 0xfffu) * n;
  return (high >> 12u) + ((((high & 0xfffu) << 12u) + low) >> 24u);
}

// A uniform integer in -max..max: floor(u * (2 max + 1)) - max.
fn symmetric(bits: u32, max: u32) -> i32 {
  return i32(scaled(bits, 2u * max + 1u)) - i32(max);
}

fn pixel(base: u32, x: i32, y: i32) -> f32 {
  let w = i32(params.width);
  let h = i32(params.height);
  if (x < 0 || x >= w || y < 0 || y >= h) { return 0.0; }
  let at = base + u32(y) * params.width + u32(x);
  return f32((data[at >> 2u] >> ((at & 3u) * 8u)) & 0xffu) / 255.0;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let width = params.width;
  let height = params.height;
  let plane = width * height;
  if (i >= params.count * plane) { return; }
  let n = i / plane;
  let ox = i32(i % width);
  let oy = i32((i / width) % height);

  let hk = hash32(params.key);
  let slot = n * DRAWS_PER_SAMPLE;

  // Per-sample parameters, as sampleParams in engine/data/augment.ts.
  var flip_x = false;
  var flip_y = false;
  if (FLIP) {
    flip_x = bits24(hk, slot + 0u) < params.flip_x;
    flip_y = bits24(hk, slot + 1u) < params.flip_y;
  }
  var cs = 1.0;
  var sn = 0.0;
  if (ROTATION == 1u) {
    let degrees = (2.0 * draw(hk, slot + 2u) - 1.0) * params.degrees;
    let quarters = degrees / 90.0;
    if (quarters == round(quarters)) {
      // Exact quarter turns, as turn() in augment.ts.
      let q = ((i32(round(quarters)) % 4) + 4) % 4;
      cs = select(select(select(0.0, -1.0, q == 2), 0.0, q == 1), 1.0, q == 0);
      sn = select(select(select(-1.0, 0.0, q == 2), 1.0, q == 1), 0.0, q == 0);
    } else {
      let turned = cos_sin_turns(degrees / 360.0);
      cs = turned.x;
      sn = turned.y;
    }
  } else if (ROTATION == 2u) {
    let k = scaled(bits24(hk, slot + 2u), params.angle_count);
    let at = 2u * (params.channels + k);
    cs = table[at];
    sn = table[at + 1u];
  }
  var zoom = 1.0;
  var shift_x = 0;
  var shift_y = 0;
  if (WARP) {
    zoom = params.zoom_min + draw(hk, slot + 3u) * (params.zoom_max - params.zoom_min);
    shift_x = symmetric(bits24(hk, slot + 4u), params.shift);
    shift_y = symmetric(bits24(hk, slot + 5u), params.shift);
  }
  var crop_x = 0;
  var crop_y = 0;
  if (CROP) {
    crop_x = symmetric(bits24(hk, slot + 6u), params.pad);
    crop_y = symmetric(bits24(hk, slot + 7u), params.pad);
  }
  var erased = false;
  if (ERASE && bits24(hk, slot + 8u) < params.erase_p) {
    let area = (params.area_min + draw(hk, slot + 9u) * (params.area_max - params.area_min)) *
      f32(height) * f32(width);
    let ratio = exp_accurate(params.log_ratio_min + draw(hk, slot + 10u) * (params.log_ratio_max - params.log_ratio_min));
    let eh = min(height, max(1u, u32(floor(sqrt(area * ratio) + 0.5))));
    let ew = min(width, max(1u, u32(floor(sqrt(area / ratio) + 0.5))));
    let ex = i32(scaled(bits24(hk, slot + 11u), width - ew + 1u));
    let ey = i32(scaled(bits24(hk, slot + 12u), height - eh + 1u));
    erased = ox >= ex && ox < ex + i32(ew) && oy >= ey && oy < ey + i32(eh);
  }

  // Crop window, then undo shift, turn and zoom, then the flips: where this pixel comes from.
  let wx = ox + crop_x;
  let wy = oy + crop_y;
  let inside = wx >= 0 && wx < i32(width) && wy >= 0 && wy < i32(height);
  let cx = f32(width - 1u) / 2.0;
  let cy = f32(height - 1u) / 2.0;
  let dx = f32(wx - shift_x) - cx;
  let dy = f32(wy - shift_y) - cy;
  var sx = (cs * dx - sn * dy) / zoom + cx;
  var sy = (sn * dx + cs * dy) / zoom + cy;
  if (flip_x) { sx = f32(width - 1u) - sx; }
  if (flip_y) { sy = f32(height - 1u) - sy; }
  let fx0 = floor(sx);
  let fy0 = floor(sy);
  let fx = sx - fx0;
  let fy = sy - fy0;
  let x0 = i32(fx0);
  let y0 = i32(fy0);

  let source = indices[n] * params.sample_size;
  let noise_key = hash32(params.key ^ NOISE_SALT);
  for (var c = 0u; c < params.channels; c++) {
    let base = source + c * plane;
    var value = 0.0;
    if (inside && !erased) {
      if (fx == 0.0 && fy == 0.0) {
        value = pixel(base, x0, y0);
      } else {
        value = (1.0 - fy) * ((1.0 - fx) * pixel(base, x0, y0) + fx * pixel(base, x0 + 1, y0)) +
          fy * ((1.0 - fx) * pixel(base, x0, y0 + 1) + fx * pixel(base, x0 + 1, y0 + 1));
      }
    }
    let index = (n * params.channels + c) * plane + u32(oy) * width + u32(ox);
    if (NOISE) {
      let u1 = 1.0 - draw(noise_key, 2u * index);
      let u2 = draw(noise_key, 2u * index + 1u);
      value += params.noise * (sqrt(-2.0 * log_accurate(u1)) * cos_sin_turns(u2).x);
    }
    if (NORMALIZE) {
      value = (value - table[2u * c]) / table[2u * c + 1u];
    }
    out[index] = value;
  }
}
