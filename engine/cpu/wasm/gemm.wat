;; The CPU backend's matrix product kernel, in WebAssembly with 128-bit SIMD (source of gemm-wasm.ts, which
;; `npm run wasm` builds from this file; test/unit/wasm-build.test.ts checks the two agree).
;;
;; C (4 mp rows x 4 np columns, float64, row-major, ldc bytes between rows) = A B^T, where
;;   A is packed as mp panels of T x 4 float32 values: panel p, step t holds A(4p..4p+3, t) (16 bytes),
;;   B is packed as np panels the same way: panel q, step t holds B(4q..4q+3, t).
;; Each 4x4 block of C keeps its 16 sums in eight f64x2 registers; each sum adds A(i, t) * B(j, t) over t in
;; order, in float64, from 0, so the result does not depend on the packing or the block order. B's panels are
;; the outer loop: B (a convolution's im2col columns) is the large operand, read once while A's panels (the
;; weights) stay in cache.
;; T, mp and np must be at least 1; the caller (gemm.ts) copies the operands in, packs them with `pack` (or,
;; for a convolution's columns, `im2col`) and reads C back. The memory comes from the caller: `npm run wasm`
;; also builds a variant whose memory is shared, so helper threads (engine/cpu/threads.ts) can each run `gemm`
;; on their own range of B's panels.
(module
  (import "env" "memory" (memory 1 16384))
  ;; Packs R rows of a strided float32 matrix (row r, step t at src + r row + t step, in bytes) into panels of
  ;; four rows at dst: panel p, step t holds rows 4p..4p+3 (16 bytes); rows R and on, up to a multiple of
  ;; four, are zeros. T must be at least 1.
  (func (export "pack")
    (param $src i32) (param $R i32) (param $T i32) (param $row i32) (param $step i32) (param $dst i32)
    (local $r i32) (local $t i32) (local $s i32) (local $d i32) (local $rows i32) (local $panel i32)
    (local.set $rows (i32.and (i32.add (local.get $R) (i32.const 3)) (i32.const -4)))
    (local.set $panel (i32.shl (local.get $T) (i32.const 4)))
    (loop $rows
      (local.set $d (i32.add (local.get $dst)
        (i32.add (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $panel))
                 (i32.shl (i32.and (local.get $r) (i32.const 3)) (i32.const 2)))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $row))))
      (local.set $t (local.get $T))
      (if (i32.lt_u (local.get $r) (local.get $R))
        (then
          (loop $copy
            (f32.store (local.get $d) (f32.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (local.get $step)))
            (br_if $copy (local.tee $t (i32.sub (local.get $t) (i32.const 1))))))
        (else
          (loop $zero
            (f32.store (local.get $d) (f32.const 0))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br_if $zero (local.tee $t (i32.sub (local.get $t) (i32.const 1)))))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))
  ;; A convolution's input columns (im2col) for one sample and group, written straight into B's panels: element
  ;; (k, p) with k = (c, kh, kw) < K = Cg KH KW and p = (oh, ow) < P = OH OW is the input at channel c, row
  ;; oh sh - ph + kh dh, column ow sw - pw + kw dw (0 in the padding). Mode 0 packs B(j = p, t = k) (the forward
  ;; pass's columns), mode 1 B(j = k, t = p) (the weight gradient's). src: the group's Cg planes of H x W float32;
  ;; win: 13 i32 (Cg H W KH KW OH OW sh sw ph pw dh dw); dst: the panels, zeroed here first.
  (func (export "im2col") (param $src i32) (param $win i32) (param $dst i32) (param $mode i32)
    (local $Cg i32) (local $H i32) (local $W i32) (local $KH i32) (local $KW i32) (local $OH i32) (local $OW i32)
    (local $sh i32) (local $sw i32) (local $ph i32) (local $pw i32) (local $dh i32) (local $dw i32)
    (local $K i32) (local $P i32) (local $panel i32) (local $rows i32)
    (local $c i32) (local $kh i32) (local $kw i32) (local $k i32) (local $oh i32) (local $ow i32)
    (local $h i32) (local $p i32) (local $plane i32)
    (local $base i32) (local $ow0 i32) (local $ow1 i32) (local $lane i32) (local $s i32) (local $d i32) (local $sw4 i32)
    (local.set $Cg (i32.load offset=0 (local.get $win)))
    (local.set $H (i32.load offset=4 (local.get $win)))
    (local.set $W (i32.load offset=8 (local.get $win)))
    (local.set $KH (i32.load offset=12 (local.get $win)))
    (local.set $KW (i32.load offset=16 (local.get $win)))
    (local.set $OH (i32.load offset=20 (local.get $win)))
    (local.set $OW (i32.load offset=24 (local.get $win)))
    (local.set $sh (i32.load offset=28 (local.get $win)))
    (local.set $sw (i32.load offset=32 (local.get $win)))
    (local.set $ph (i32.load offset=36 (local.get $win)))
    (local.set $pw (i32.load offset=40 (local.get $win)))
    (local.set $dh (i32.load offset=44 (local.get $win)))
    (local.set $dw (i32.load offset=48 (local.get $win)))
    (local.set $sw4 (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $K (i32.mul (local.get $Cg) (i32.mul (local.get $KH) (local.get $KW))))
    (local.set $P (i32.mul (local.get $OH) (local.get $OW)))
    ;; Panels of B's rows j (p in mode 0, k in mode 1), each step t (k or p) 16 bytes.
    (local.set $panel (i32.shl (select (local.get $P) (local.get $K) (local.get $mode)) (i32.const 4)))
    (local.set $rows (i32.and (i32.add (select (local.get $K) (local.get $P) (local.get $mode)) (i32.const 3))
      (i32.const -4)))
    (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $rows) (i32.shr_u (local.get $panel) (i32.const 2))))
    (block $channels_done (loop $channels
      (br_if $channels_done (i32.ge_u (local.get $c) (local.get $Cg)))
      (local.set $plane (i32.add (local.get $src) (i32.shl (i32.mul (i32.mul (local.get $c) (local.get $H)) (local.get $W)) (i32.const 2))))
      (local.set $kh (i32.const 0))
      (block $kh_done (loop $kh_loop
        (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $KH)))
        (local.set $kw (i32.const 0))
        (block $kw_done (loop $kw_loop
          (br_if $kw_done (i32.ge_u (local.get $kw) (local.get $KW)))
          ;; The output columns whose input column ow sw + base falls inside [0, W): ow0 <= ow < ow1.
          (local.set $base (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pw)))
          (local.set $ow0
            (if (result i32) (i32.ge_s (local.get $base) (i32.const 0))
              (then (i32.const 0))
              (else (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $base)) (i32.sub (local.get $sw) (i32.const 1)))
                (local.get $sw)))))
          (local.set $ow1
            (if (result i32) (i32.lt_s (i32.sub (i32.sub (local.get $W) (i32.const 1)) (local.get $base)) (i32.const 0))
              (then (i32.const 0))
              (else (i32.add (i32.div_u (i32.sub (i32.sub (local.get $W) (i32.const 1)) (local.get $base)) (local.get $sw))
                (i32.const 1)))))
          (if (i32.gt_u (local.get $ow1) (local.get $OW)) (then (local.set $ow1 (local.get $OW))))
          ;; Mode 1: tap k's lane in its panel; each position p is 16 bytes further.
          (local.set $lane (i32.add (local.get $dst)
            (i32.add (i32.mul (i32.shr_u (local.get $k) (i32.const 2)) (local.get $panel))
              (i32.shl (i32.and (local.get $k) (i32.const 3)) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (block $oh_done (loop $oh_loop
            (br_if $oh_done (i32.ge_u (local.get $oh) (local.get $OH)))
            (local.set $h (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $ph))
              (i32.mul (local.get $kh) (local.get $dh))))
            ;; A row outside the input (unsigned: negative rows are large) is padding: already zero.
            (if (i32.and (i32.lt_u (local.get $h) (local.get $H)) (i32.lt_u (local.get $ow0) (local.get $ow1)))
              (then
                (local.set $ow (local.get $ow0))
                (local.set $s (i32.add (local.get $plane) (i32.shl (i32.add (i32.mul (local.get $h) (local.get $W))
                  (i32.add (i32.mul (local.get $ow0) (local.get $sw)) (local.get $base))) (i32.const 2))))
                (local.set $p (i32.add (i32.mul (local.get $oh) (local.get $OW)) (local.get $ow0)))
                (if (local.get $mode)
                  (then
                    (local.set $d (i32.add (local.get $lane) (i32.shl (local.get $p) (i32.const 4))))
                    (loop $taps_row
                      (f32.store (local.get $d) (f32.load (local.get $s)))
                      (local.set $d (i32.add (local.get $d) (i32.const 16)))
                      (local.set $s (i32.add (local.get $s) (local.get $sw4)))
                      (br_if $taps_row (i32.lt_u (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $ow1)))))
                  (else
                    (loop $positions_row
                      (f32.store
                        (i32.add (local.get $dst)
                          (i32.add (i32.mul (i32.shr_u (local.get $p) (i32.const 2)) (local.get $panel))
                            (i32.add (i32.shl (local.get $k) (i32.const 4))
                              (i32.shl (i32.and (local.get $p) (i32.const 3)) (i32.const 2)))))
                        (f32.load (local.get $s)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (local.set $s (i32.add (local.get $s) (local.get $sw4)))
                      (br_if $positions_row (i32.lt_u (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $ow1))))))))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $oh_loop)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $kw_loop)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $kh_loop)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $channels)))
  )
  ;; The inverse of im2col for the input gradient: dst (Cg planes of H x W float64, zeroed here first) gets,
  ;; for every tap k = (c, kh, kw) and output position p = (oh, ow) whose input lies inside the plane, the column
  ;; gradient C(k, p) (float64 at src + k ld + 8 p), added in the order of k then p. win as for im2col.
  (func (export "col2im") (param $src i32) (param $ld i32) (param $win i32) (param $dst i32)
    (local $Cg i32) (local $H i32) (local $W i32) (local $KH i32) (local $KW i32) (local $OH i32) (local $OW i32)
    (local $sh i32) (local $sw i32) (local $ph i32) (local $pw i32) (local $dh i32) (local $dw i32)
    (local $c i32) (local $kh i32) (local $kw i32) (local $oh i32) (local $ow i32)
    (local $h i32) (local $row i32) (local $plane i32) (local $at i32)
    (local $base i32) (local $ow0 i32) (local $ow1 i32) (local $from i32) (local $sw8 i32)
    (local.set $Cg (i32.load offset=0 (local.get $win)))
    (local.set $H (i32.load offset=4 (local.get $win)))
    (local.set $W (i32.load offset=8 (local.get $win)))
    (local.set $KH (i32.load offset=12 (local.get $win)))
    (local.set $KW (i32.load offset=16 (local.get $win)))
    (local.set $OH (i32.load offset=20 (local.get $win)))
    (local.set $OW (i32.load offset=24 (local.get $win)))
    (local.set $sh (i32.load offset=28 (local.get $win)))
    (local.set $sw (i32.load offset=32 (local.get $win)))
    (local.set $ph (i32.load offset=36 (local.get $win)))
    (local.set $pw (i32.load offset=40 (local.get $win)))
    (local.set $dh (i32.load offset=44 (local.get $win)))
    (local.set $dw (i32.load offset=48 (local.get $win)))
    (local.set $sw8 (i32.shl (local.get $sw) (i32.const 3)))
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.shl (i32.mul (local.get $Cg) (i32.mul (local.get $H) (local.get $W))) (i32.const 3)))
    ;; $row: the start of C's row k (src + k ld).
    (local.set $row (local.get $src))
    (block $channels_done (loop $channels
      (br_if $channels_done (i32.ge_u (local.get $c) (local.get $Cg)))
      (local.set $plane (i32.add (local.get $dst) (i32.shl (i32.mul (i32.mul (local.get $c) (local.get $H)) (local.get $W)) (i32.const 3))))
      (local.set $kh (i32.const 0))
      (block $kh_done (loop $kh_loop
        (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $KH)))
        (local.set $kw (i32.const 0))
        (block $kw_done (loop $kw_loop
          (br_if $kw_done (i32.ge_u (local.get $kw) (local.get $KW)))
          ;; The output columns whose input column ow sw + base falls inside [0, W): ow0 <= ow < ow1.
          (local.set $base (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pw)))
          (local.set $ow0
            (if (result i32) (i32.ge_s (local.get $base) (i32.const 0))
              (then (i32.const 0))
              (else (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $base)) (i32.sub (local.get $sw) (i32.const 1)))
                (local.get $sw)))))
          (local.set $ow1
            (if (result i32) (i32.lt_s (i32.sub (i32.sub (local.get $W) (i32.const 1)) (local.get $base)) (i32.const 0))
              (then (i32.const 0))
              (else (i32.add (i32.div_u (i32.sub (i32.sub (local.get $W) (i32.const 1)) (local.get $base)) (local.get $sw))
                (i32.const 1)))))
          (if (i32.gt_u (local.get $ow1) (local.get $OW)) (then (local.set $ow1 (local.get $OW))))
          (local.set $oh (i32.const 0))
          (block $oh_done (loop $oh_loop
            (br_if $oh_done (i32.ge_u (local.get $oh) (local.get $OH)))
            (local.set $h (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $ph))
              (i32.mul (local.get $kh) (local.get $dh))))
            (if (i32.and (i32.lt_u (local.get $h) (local.get $H)) (i32.lt_u (local.get $ow0) (local.get $ow1)))
              (then
                (local.set $ow (local.get $ow0))
                (local.set $at (i32.add (local.get $plane) (i32.shl (i32.add (i32.mul (local.get $h) (local.get $W))
                  (i32.add (i32.mul (local.get $ow0) (local.get $sw)) (local.get $base))) (i32.const 3))))
                (local.set $from (i32.add (local.get $row)
                  (i32.shl (i32.add (i32.mul (local.get $oh) (local.get $OW)) (local.get $ow0)) (i32.const 3))))
                (loop $inputs_row
                  (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (local.get $from))))
                  (local.set $at (i32.add (local.get $at) (local.get $sw8)))
                  (local.set $from (i32.add (local.get $from) (i32.const 8)))
                  (br_if $inputs_row (i32.lt_u (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $ow1))))))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $oh_loop)))
          (local.set $row (i32.add (local.get $row) (local.get $ld)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $kw_loop)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $kh_loop)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $channels)))
  )
  ;; C's column panels j0 <= j < np (j0 < np).
  (func (export "gemm")
    (param $mp i32) (param $j0 i32) (param $np i32) (param $T i32)
    (param $A i32) (param $B i32) (param $C i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $t i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $panel i32)
    (local $b01 v128) (local $b23 v128) (local $a v128)
    ;; $cRl holds C(i + R, j), C(i + R, j + 1); $cRh holds C(i + R, j + 2), C(i + R, j + 3).
    (local $c0l v128) (local $c0h v128) (local $c1l v128) (local $c1h v128)
    (local $c2l v128) (local $c2h v128) (local $c3l v128) (local $c3h v128)
    (local.set $panel (i32.shl (local.get $T) (i32.const 4)))
    (local.set $j (local.get $j0))
    (loop $columns
      (local.set $i (i32.const 0))
      (loop $rows
        (local.set $c0l (v128.const i64x2 0 0)) (local.set $c0h (v128.const i64x2 0 0))
        (local.set $c1l (v128.const i64x2 0 0)) (local.set $c1h (v128.const i64x2 0 0))
        (local.set $c2l (v128.const i64x2 0 0)) (local.set $c2h (v128.const i64x2 0 0))
        (local.set $c3l (v128.const i64x2 0 0)) (local.set $c3h (v128.const i64x2 0 0))
        (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $panel))))
        (local.set $pb (i32.add (local.get $B) (i32.mul (local.get $j) (local.get $panel))))
        (local.set $t (local.get $T))
        (loop $steps
          ;; B(j..j+3, t) widened to float64 pairs; each A(i+R, t) splat and multiplied into row R's sums.
          (local.set $b01 (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $pb))))
          (local.set $b23 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $pb))))
          (local.set $a (f64x2.splat (f64.promote_f32 (f32.load offset=0 (local.get $pa)))))
          (local.set $c0l (f64x2.add (local.get $c0l) (f64x2.mul (local.get $a) (local.get $b01))))
          (local.set $c0h (f64x2.add (local.get $c0h) (f64x2.mul (local.get $a) (local.get $b23))))
          (local.set $a (f64x2.splat (f64.promote_f32 (f32.load offset=4 (local.get $pa)))))
          (local.set $c1l (f64x2.add (local.get $c1l) (f64x2.mul (local.get $a) (local.get $b01))))
          (local.set $c1h (f64x2.add (local.get $c1h) (f64x2.mul (local.get $a) (local.get $b23))))
          (local.set $a (f64x2.splat (f64.promote_f32 (f32.load offset=8 (local.get $pa)))))
          (local.set $c2l (f64x2.add (local.get $c2l) (f64x2.mul (local.get $a) (local.get $b01))))
          (local.set $c2h (f64x2.add (local.get $c2h) (f64x2.mul (local.get $a) (local.get $b23))))
          (local.set $a (f64x2.splat (f64.promote_f32 (f32.load offset=12 (local.get $pa)))))
          (local.set $c3l (f64x2.add (local.get $c3l) (f64x2.mul (local.get $a) (local.get $b01))))
          (local.set $c3h (f64x2.add (local.get $c3h) (f64x2.mul (local.get $a) (local.get $b23))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
          (br_if $steps (local.tee $t (i32.sub (local.get $t) (i32.const 1)))))
        ;; The block's four rows, 32 bytes each.
        (local.set $pc (i32.add (local.get $C)
          (i32.add (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 5)))))
        (v128.store offset=0 (local.get $pc) (local.get $c0l))
        (v128.store offset=16 (local.get $pc) (local.get $c0h))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (local.get $c1l))
        (v128.store offset=16 (local.get $pc) (local.get $c1h))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (local.get $c2l))
        (v128.store offset=16 (local.get $pc) (local.get $c2h))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store offset=0 (local.get $pc) (local.get $c3l))
        (v128.store offset=16 (local.get $pc) (local.get $c3h))
        (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))
      (br_if $columns (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))))
