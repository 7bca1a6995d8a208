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
;; T, mp and np must be at least 1; the caller (gemm.ts) copies the operands in, packs them with `pack` and
;; reads C back.
(module
  (memory (export "memory") 1)
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
  (func (export "gemm")
    (param $mp i32) (param $np i32) (param $T i32)
    (param $A i32) (param $B i32) (param $C i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $t i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $panel i32)
    (local $b01 v128) (local $b23 v128) (local $a v128)
    ;; $cRl holds C(i + R, j), C(i + R, j + 1); $cRh holds C(i + R, j + 2), C(i + R, j + 3).
    (local $c0l v128) (local $c0h v128) (local $c1l v128) (local $c1h v128)
    (local $c2l v128) (local $c2h v128) (local $c3l v128) (local $c3h v128)
    (local.set $panel (i32.shl (local.get $T) (i32.const 4)))
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
