/**
 * The boundary to ND4J: {@link io.buildgpt.nd4j.Nd4jLoader} starts ND4J's native backend with the class
 * loader that loaded this module (needed inside a notebook kernel), once, and only when a class first
 * makes an ND4J array.
 */
package io.buildgpt.nd4j;
