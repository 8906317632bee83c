/**
 * Fine-tuning on top of the engine: LoRA adapters in PEFT's own file format. Depends on {@code io.buildgpt.engine};
 * the engine never imports this package.
 */
package io.buildgpt.finetune;
