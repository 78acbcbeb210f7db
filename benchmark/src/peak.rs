//! Peak throughput of the GPUs the project measures on, for the line on the plots.

/// Dense peak TFLOP/s of `gpu` (the driver's name) for inputs of `dtype`: fp32 without tensor
/// cores, bf16/f16 on tensor cores without sparsity. `None` for a GPU not in the table.
pub fn tflops(gpu: &str, dtype: &str) -> Option<f64> {
    // H100 SXM (the driver calls it "H100 80GB HBM3") and H200 share these figures; the PCIe
    // and NVL boards run lower clocks and are not in the table.
    let sxm_class = gpu.contains("H200")
        || (gpu.contains("H100") && (gpu.contains("HBM3") || gpu.contains("SXM")));
    if !sxm_class {
        return None;
    }
    match dtype {
        "f32" => Some(67.0),
        "bf16" | "f16" => Some(989.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_gpus() {
        assert_eq!(tflops("NVIDIA H100 80GB HBM3", "f32"), Some(67.0));
        assert_eq!(tflops("NVIDIA H200", "bf16"), Some(989.0));
        assert_eq!(tflops("NVIDIA H100 PCIe", "f32"), None);
        assert_eq!(tflops("NVIDIA GeForce RTX 4090", "f16"), None);
    }
}
