/**
 * Fine-tuning on top of the engine: LoRA ({@link io.buildgpt.finetune.Lora}, adapters beside a frozen
 * weight in {@link io.buildgpt.finetune.LoraWeight}), quantized frozen weights
 * ({@link io.buildgpt.finetune.Quantize}, {@link io.buildgpt.finetune.QuantizedBase}: int4, int8, NF4 with
 * double quantization), both as {@link io.buildgpt.engine.Weight}s that the engine's Linears multiply by;
 * adapters in the project's file format ({@link io.buildgpt.finetune.LoraFile}) and PEFT's
 * ({@link io.buildgpt.finetune.PeftLora}); and the comparison runs of notebook 10 ({@link io.buildgpt.finetune.FineTune}).
 * Depends on {@code io.buildgpt.engine} and {@code io.buildgpt.train}; the engine never imports this package.
 */
package io.buildgpt.finetune;
